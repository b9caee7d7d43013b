package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.result.TransactionResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link TransactionJson} writes JSON without a {@code JsonGenerator}: its bytes must be those
 * Jackson writes for the same values. Jackson reads them back and writes its tree again (compact,
 * same member order); both byte strings must be equal, for strings that need escaping, non-ASCII
 * text, surrogates (paired or not: a report read back may hold any string), long values, header
 * names outside the kept list and negative numbers.
 */
class TransactionJsonTest {
  private static final String NASTY =
      "a\"b\\c\u0001d\te\nf\rg\u001fh\u007fi\u00e9j\u2028k\u20acl</script>";

  private static TransactionResult transaction(String s, String longValue) {
    Map<String, String> request = new LinkedHashMap<>();
    request.put("host", s);
    request.put("user-agent", longValue);
    request.put("x-\"odd\"\u0002name", "v");
    Map<String, String> response = new LinkedHashMap<>();
    response.put("server", s);
    return new TransactionResult(
        7,
        3,
        2,
        4,
        "GET",
        "/p?q=" + s,
        "HTTP/1.1",
        null,
        s,
        "HTTP/1.0",
        List.of(100, 103),
        request,
        response,
        -5,
        Long.MAX_VALUE,
        0,
        "chunked",
        123456789012L,
        9,
        10,
        null,
        -1,
        12,
        -1,
        14,
        1_700_000_000_000_000L,
        -1,
        1_700_000_000_000_123L,
        -1,
        new TransactionResult.Timings(
            -1,
            5,
            6,
            -1,
            Long.MIN_VALUE,
            List.of(
                new TransactionResult.Stall("delayed_ack", 40000),
                new TransactionResult.Stall(s, 0))),
        true,
        new TransactionResult.ResponseNotCaptured(1000, -1, 99),
        321,
        -1,
        false,
        true,
        true,
        false,
        true,
        false,
        List.of("bare_lf", s, longValue),
        new TransactionResult.KeepAliveNegotiation(s, null, "keep-alive", 100, -1, true));
  }

  private static String written(TransactionJson json, TransactionResult t) {
    json.write(t);
    String out = new String(Arrays.copyOf(json.bytes(), json.length()), StandardCharsets.UTF_8);
    json.reset();
    return out;
  }

  @Test
  void writesTheBytesJacksonWrites() throws Exception {
    char[] many = new char[300];
    for (int i = 0; i < many.length; i++) {
      many[i] = (char) (i % 40 == 0 ? 0x0b : 0x20 + i % 0x200);
    }
    ObjectMapper mapper = new ObjectMapper();
    TransactionJson json = new TransactionJson();
    for (String s :
        List.of(NASTY, "", "plain", "pair \ud83d\ude00 end", "unpaired \ud800 \udc00 end\ud83d")) {
      TransactionResult t = transaction(s, new String(many));
      String first = written(json, t);
      JsonNode tree = mapper.readTree(first);
      // as bytes: the report's generator writes UTF-8 (and surrogates as escapes, where a
      // generator writing chars keeps them)
      assertEquals(new String(mapper.writeValueAsBytes(tree), StandardCharsets.UTF_8), first);
      assertEquals(s, tree.get("reason").asText());
      assertEquals(first, written(json, t)); // again, the writer reused
    }
  }
}
