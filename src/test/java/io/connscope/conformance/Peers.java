package io.connscope.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.connscope.conformance.Observed.Conn;
import io.connscope.conformance.Observed.Tx;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares what connscope saw in a capture ({@link Observed}) with one peer's expectation from the
 * corpus index. Each method returns null when the peer states nothing comparable about HTTP
 * transactions for that capture, else a {@link Result}.
 */
final class Peers {
  private Peers() {}

  /** One comparison: what the peer expects, what connscope got, summarised; agree or not. */
  record Result(String peer, String expected, String got, boolean agree) {}

  // ---- Zeek http.log --------------------------------------------------------------------------

  /**
   * Zeek http.log: the multiset of (trans_depth, method, uri, status_code) rows, each field
   * compared only when the baseline (possibly a column cut) has it. Zeek logs one row per request
   * and one per orphan response ({@code -} method); its uri is the request-target as sent, with
   * non-printable bytes as {@code \xNN}; {@code status_code} is {@code -} when no response came.
   */
  static Result zeek(JsonNode httpLog, Observed o) {
    if (httpLog == null || httpLog.isNull() || !httpLog.has("list")) {
      return null;
    }
    List<JsonNode> rows = new ArrayList<>();
    httpLog.get("list").forEach(rows::add);
    boolean hasDepth = any(rows, "trans_depth");
    boolean hasMethod = any(rows, "method");
    boolean hasUri = any(rows, "uri");
    boolean hasStatus = any(rows, "status_code");
    TreeMap<String, Integer> exp = new TreeMap<>();
    for (JsonNode r : rows) {
      if (hasMethod
          && hasStatus
          && text(r, "method").equals("-")
          && text(r, "status_code").equals("-")) {
        continue; // neither request nor response: Zeek's empty record after an HTTP/0.9 reply
      }
      exp.merge(
          zeekKey(
              hasDepth ? text(r, "trans_depth") : null,
              hasMethod ? text(r, "method") : null,
              hasUri ? text(r, "uri") : null,
              hasStatus ? text(r, "status_code") : null),
          1,
          Integer::sum);
    }
    TreeMap<String, Integer> got = new TreeMap<>();
    for (Tx t : o.allTxs()) {
      got.merge(
          zeekKey(
              hasDepth ? Integer.toString(t.depth()) : null,
              hasMethod ? dash(t.method()) : null,
              hasUri
                  ? (t.uri() == null
                      ? "-"
                      : t.uri().isEmpty() ? "(empty)" : zeekEscape(zeekUnescape(t.uri())))
                  : null,
              hasStatus ? zeekStatus(t) : null),
          1,
          Integer::sum);
    }
    return new Result("zeek", exp.toString(), got.toString(), exp.equals(got));
  }

  /** Zeek's status_code: {@code -} without a response, 0 for an HTTP/0.9 one (no status line). */
  private static String zeekStatus(Tx t) {
    if (t.status() != 0) {
      return Integer.toString(t.status());
    }
    return "HTTP/0.9".equals(t.responseVersion()) ? "0" : "-";
  }

  private static String zeekKey(String depth, String method, String uri, String status) {
    StringBuilder sb = new StringBuilder();
    if (depth != null) {
      sb.append('#').append(depth).append(' ');
    }
    if (method != null) {
      sb.append(method).append(' ');
    }
    if (uri != null) {
      sb.append(uri).append(' ');
    }
    if (status != null) {
      sb.append(status);
    }
    return sb.toString().trim();
  }

  /**
   * Zeek logs the request-target percent-decoded (its HTTP analyzer's {@code unescape_URI}): each
   * {@code %XX} with two hex digits becomes that byte; a lone or truncated {@code %} stays.
   */
  static String zeekUnescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%'
          && i + 2 < s.length()
          && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Zeek's log escaping: bytes outside printable ASCII as {@code \xNN}, backslash doubled. */
  static String zeekEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        sb.append("\\\\");
      } else if (c < 0x20 || c > 0x7e) {
        sb.append(String.format("\\x%02x", (int) c & 0xFF));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * Zeek conn.log without an http.log: every connection Zeek tagged with the {@code http} service
   * must be one where connscope recognised HTTP, and no other. Null when Zeek tagged no connection
   * http (nothing HTTP to compare).
   */
  static Result zeekConn(JsonNode connLog, Observed o) {
    if (connLog == null || !connLog.isArray()) {
      return null;
    }
    List<String> exp = new ArrayList<>();
    boolean ids = true;
    for (JsonNode r : connLog) {
      if (text(r, "service") != null && text(r, "service").contains("http")) {
        ids &= text(r, "id.orig_h") != null;
        exp.add(
            pair(
                text(r, "id.orig_h"),
                text(r, "id.orig_p"),
                text(r, "id.resp_h"),
                text(r, "id.resp_p")));
      }
    }
    if (exp.isEmpty()) {
      return null;
    }
    List<String> got = new ArrayList<>();
    for (Conn c : o.conns) {
      if (c.http()) {
        got.add(
            ids
                ? pair(
                    c.clientIp(),
                    Integer.toString(c.clientPort()),
                    c.serverIp(),
                    Integer.toString(c.serverPort()))
                : "conn");
      }
    }
    if (!ids) { // a column cut without the endpoints: compare the number of HTTP connections
      exp.replaceAll(x -> "conn");
    }
    java.util.Collections.sort(exp);
    java.util.Collections.sort(got);
    return new Result("zeek-conn", "http conns " + exp, "http conns " + got, exp.equals(got));
  }

  /** Orientation-free key of a connection. */
  private static String pair(String ha, String pa, String hb, String pb) {
    String a = normIp(ha) + ":" + pa;
    String b = normIp(hb) + ":" + pb;
    return a.compareTo(b) <= 0 ? a + "<>" + b : b + "<>" + a;
  }

  // ---- Arkime ---------------------------------------------------------------------------------

  /**
   * Arkime sessions: per HTTP session (matched on client and server endpoints) the method counts,
   * the set of status codes (interim ones included) and the set of uris, where Arkime's uri is the
   * Host header followed by the path (the bare target for CONNECT and when there is no Host).
   * Sessions Arkime holds no HTTP method nor status for (TLS, non-HTTP) are ignored.
   */
  static Result arkime(JsonNode sessions, Observed o) {
    if (sessions == null || !sessions.isArray()) {
      return null;
    }
    List<String> exp = new ArrayList<>();
    for (JsonNode s : sessions) {
      boolean anyMethod = s.has("methods") && s.get("methods").size() > 0;
      boolean anyStatus = s.has("statuscode") && s.get("statuscode").isArray();
      if (!anyMethod && !anyStatus) {
        continue;
      }
      TreeMap<String, Integer> methods = new TreeMap<>();
      if (s.has("methods")) {
        s.get("methods")
            .fields()
            .forEachRemaining(e -> methods.put(e.getKey(), e.getValue().asInt()));
      }
      TreeSet<Integer> codes = new TreeSet<>();
      if (anyStatus) {
        s.get("statuscode").forEach(n -> codes.add(n.asInt()));
      }
      TreeSet<String> uris = new TreeSet<>();
      if (s.has("uri") && s.get("uri").isArray()) {
        s.get("uri").forEach(n -> uris.add(n.asText()));
      }
      exp.add(
          endpoint(s.get("src").asText())
              + ">"
              + endpoint(s.get("dst").asText())
              + " "
              + methods
              + " "
              + codes
              + " "
              + uris);
    }
    List<String> got = new ArrayList<>();
    for (Conn c : o.conns) {
      if (c.txs().isEmpty()) {
        continue;
      }
      TreeMap<String, Integer> methods = new TreeMap<>();
      TreeSet<Integer> codes = new TreeSet<>();
      TreeSet<String> uris = new TreeSet<>();
      for (Tx t : c.txs()) {
        if (t.method() != null) {
          methods.merge(t.method(), 1, Integer::sum);
        }
        codes.addAll(t.interim());
        if (t.status() != 0) {
          codes.add(t.status());
        }
        if (t.uri() != null) {
          uris.add(arkimeUri(t));
        }
      }
      got.add(
          endpoint(c.client())
              + ">"
              + endpoint(c.server())
              + " "
              + methods
              + " "
              + codes
              + " "
              + uris);
    }
    java.util.Collections.sort(exp);
    java.util.Collections.sort(got);
    return new Result("arkime", String.join("; ", exp), String.join("; ", got), exp.equals(got));
  }

  static String arkimeUri(Tx t) {
    String uri = t.uri();
    if ("CONNECT".equals(t.method())) {
      return uri;
    }
    Matcher m = ABSOLUTE.matcher(uri);
    if (m.matches()) {
      return m.group(1) + (m.group(2).isEmpty() ? "/" : m.group(2));
    }
    return (t.host() == null ? "" : t.host()) + uri;
  }

  private static final Pattern ABSOLUTE = Pattern.compile("(?i)https?://([^/?#]*)(.*)");

  /** {@code ip:port} with the address in canonical form. */
  private static String endpoint(String ep) {
    int i = ep.lastIndexOf(':');
    return normIp(ep.substring(0, i)) + ":" + ep.substring(i + 1);
  }

  /** Canonical text of an IP literal (IPv6 compressed); other text unchanged. */
  static String normIp(String ip) {
    if (ip == null || !ip.contains(":")) {
      return ip;
    }
    try {
      byte[] b = InetAddress.getByName(ip.startsWith("[") ? ip : "[" + ip + "]").getAddress();
      long hi = 0;
      long lo = 0;
      for (int i = 0; i < 8; i++) {
        hi = hi << 8 | (b[i] & 0xFF);
        lo = lo << 8 | (b[i + 8] & 0xFF);
      }
      return io.connscope.common.Addresses.format(hi, lo);
    } catch (java.net.UnknownHostException e) {
      return ip;
    }
  }

  // ---- Suricata -------------------------------------------------------------------------------

  /**
   * Suricata eve checks of the tests that run this capture with an IDS configuration comparable to
   * connscope's (see {@link #suricataApplicable}). An {@code http} check is a count of http events
   * (one per transaction) matching the given fields; fields connscope has (url, method, status,
   * hostname, protocol, user agent, response length, endpoints) are matched, and when a check also
   * names fields connscope does not have, the count becomes a lower bound. Checks on other event
   * types (fileinfo, alert) that name http fields only require one matching transaction to exist.
   */
  static Result suricata(JsonNode tests, Observed o) {
    if (tests == null || !tests.isArray()) {
      return null;
    }
    List<String> exp = new ArrayList<>();
    List<String> got = new ArrayList<>();
    boolean agree = true;
    int checks = 0;
    for (JsonNode t : tests) {
      if (!suricataApplicable(t)) {
        continue;
      }
      for (JsonNode c : t.get("http_checks")) {
        if (!c.path("lt-version").isNull() && !c.path("lt-version").isMissingNode()) {
          continue; // an expectation for old Suricata versions only
        }
        Map<String, JsonNode> match = new TreeMap<>();
        flatten("", c.get("match"), match);
        String type = match.remove("event_type").asText();
        int count = c.get("count").asInt();
        Map<String, JsonNode> usable = new TreeMap<>();
        boolean partial = false;
        for (Map.Entry<String, JsonNode> e : match.entrySet()) {
          if (SURICATA_FIELDS.contains(e.getKey())
              && (type.equals("http") || !e.getKey().equals("http.length"))) {
            // an alert or fileinfo event carries the http object as it was when the event was
            // raised: its length is the body seen so far, not the transaction's
            usable.put(e.getKey(), e.getValue());
          } else if (!IGNORED_FIELDS.contains(e.getKey())) {
            partial = true;
          }
        }
        int n = 0;
        for (Conn conn : o.conns) {
          for (Tx tx : conn.txs()) {
            // a fileinfo event's endpoints follow the file: server to client for a response body
            if (suricataMatches(usable, conn, tx, false)
                || (type.equals("fileinfo") && suricataMatches(usable, conn, tx, true))) {
              n++;
            }
          }
        }
        boolean ok;
        String want;
        if (type.equals("http")) {
          if (partial && count == 0) {
            continue;
          }
          ok = partial ? n >= count : n == count;
          want = (partial ? ">=" : "") + count;
        } else {
          if (usable.keySet().stream().noneMatch(k -> k.startsWith("http.")) || count == 0) {
            continue;
          }
          ok = n >= 1;
          want = ">=1";
        }
        checks++;
        agree &= ok;
        exp.add(
            t.get("test").asText().replaceAll(".*/", "")
                + ":"
                + type
                + usable.keySet().stream()
                    .map(
                        k ->
                            k.replace("http.", "").replace("http_", "")
                                + "="
                                + usable.get(k).asText())
                    .toList()
                + "="
                + want);
        got.add(Integer.toString(n) + (ok ? "" : "!"));
      }
    }
    if (checks == 0) {
      return null;
    }
    return new Result("suricata", String.join("; ", exp), String.join("; ", got), agree);
  }

  /**
   * Tests run with an IPS simulation, exception policies or midstream pickup turned off expect what
   * those policies drop; connscope is a passive analyser that picks up every flow, so only IDS-mode
   * tests compare. Tests needing only older Suricata versions are skipped too.
   */
  static boolean suricataApplicable(JsonNode t) {
    String args =
        t.get("args").isArray() ? String.join(" ", iter(t.get("args"))) : t.get("args").asText("");
    if (args.contains("simulate-ips")
        || args.contains("exception-policy")
        || args.contains("midstream-policy")
        || args.contains("midstream=false")) {
      return false;
    }
    JsonNode req = t.get("requires");
    return req == null || req.isNull() || !req.has("lt-version");
  }

  private static List<String> iter(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static final java.util.Set<String> SURICATA_FIELDS =
      java.util.Set.of(
          "http.url",
          "http.http_method",
          "http.status",
          "http.hostname",
          "http.protocol",
          "http.http_user_agent",
          "http.length",
          "src_ip",
          "src_port",
          "dest_ip",
          "dest_port");

  /** Always true of a connscope transaction (TCP, HTTP app protocol) or only about the output. */
  private static final java.util.Set<String> IGNORED_FIELDS =
      java.util.Set.of("proto", "app_proto", "has-key", "not-has-key", "pkt_src", "ip_v");

  private static boolean suricataMatches(Map<String, JsonNode> m, Conn c, Tx t, boolean toClient) {
    for (Map.Entry<String, JsonNode> e : m.entrySet()) {
      String v = e.getValue().asText();
      String have =
          switch (e.getKey()) {
            case "http.url" -> t.uri();
            case "http.http_method" -> t.method();
            case "http.status" -> t.status() == 0 ? null : Integer.toString(t.status());
            case "http.hostname" -> suricataHost(t);
            case "http.protocol" -> t.version();
            case "http.http_user_agent" -> t.userAgent();
            case "http.length" -> Long.toString(t.responseBodyBytes());
            case "src_ip" -> toClient ? c.serverIp() : c.clientIp();
            case "src_port" -> Integer.toString(toClient ? c.serverPort() : c.clientPort());
            case "dest_ip" -> toClient ? c.clientIp() : c.serverIp();
            case "dest_port" -> Integer.toString(toClient ? c.clientPort() : c.serverPort());
            default -> null;
          };
      if (e.getKey().endsWith("_ip")) {
        v = normIp(v);
      }
      if (!Objects.equals(v, have)) {
        return false;
      }
    }
    return true;
  }

  /** libhtp's hostname: from an absolute URI, else the Host header, port removed, lower case. */
  static String suricataHost(Tx t) {
    String h = null;
    if (t.uri() != null) {
      Matcher m = ABSOLUTE.matcher(t.uri());
      if (m.matches()) {
        h = m.group(1);
      }
    }
    if (h == null) {
      h = t.host();
    }
    if (h == null) {
      return null;
    }
    if (!h.startsWith("[")) {
      int colon = h.lastIndexOf(':');
      if (colon >= 0) {
        h = h.substring(0, colon);
      }
    } else if (h.contains("]:")) {
      h = h.substring(0, h.indexOf("]:") + 1);
    }
    return h.toLowerCase(Locale.ROOT);
  }

  private static void flatten(String prefix, JsonNode n, Map<String, JsonNode> out) {
    if (n.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else {
      out.put(prefix, n);
    }
  }

  // ---- tcpdump --------------------------------------------------------------------------------

  private static final Pattern REQ_LINE = Pattern.compile("([A-Z]+) (\\S+) HTTP/\\d\\.\\d$");
  private static final Pattern STATUS_LINE =
      Pattern.compile("^(?:.*\\.\\.\\.)?HTTP/\\d\\.\\d (\\d{3})\\b");

  /**
   * tcpdump's expected printer output: every request line and status line it prints must be a
   * transaction connscope found (tcpdump prints packets, so this is a subset check).
   */
  static Result tcpdump(JsonNode lines, Observed o) {
    if (lines == null || !lines.isArray()) {
      return null;
    }
    List<String> exp = new ArrayList<>();
    for (JsonNode l : lines) {
      String s = l.asText();
      Matcher m = REQ_LINE.matcher(s);
      if (m.find()) {
        exp.add(m.group(1) + " " + m.group(2));
        continue;
      }
      m = STATUS_LINE.matcher(s);
      if (m.find()) {
        exp.add(m.group(1));
      }
    }
    if (exp.isEmpty()) {
      return null;
    }
    TreeSet<String> got = new TreeSet<>();
    for (Tx t : o.allTxs()) {
      if (t.method() != null) {
        got.add(t.method() + " " + t.uri());
      }
      if (t.status() != 0) {
        got.add(Integer.toString(t.status()));
      }
    }
    return new Result("tcpdump", exp.toString(), got.toString(), got.containsAll(exp));
  }

  // ---- tshark ---------------------------------------------------------------------------------

  /**
   * tshark's dissection: request and response counts and the method and status histograms (tshark
   * counts every response message, interim 1xx included).
   */
  static Result tshark(JsonNode f, Observed o) {
    if (f == null || !f.has("n_req")) {
      return null;
    }
    TreeMap<String, Integer> em = new TreeMap<>();
    f.path("methods").fields().forEachRemaining(e -> em.put(e.getKey(), e.getValue().asInt()));
    TreeMap<String, Integer> ec = new TreeMap<>();
    f.path("codes").fields().forEachRemaining(e -> ec.put(e.getKey(), e.getValue().asInt()));
    String exp =
        f.get("n_req").asInt() + " req " + f.get("n_resp").asInt() + " resp " + em + " " + ec;
    TreeMap<String, Integer> gm = new TreeMap<>();
    TreeMap<String, Integer> gc = new TreeMap<>();
    int req = 0;
    int resp = 0;
    for (Tx t : o.allTxs()) {
      if (t.method() != null) {
        req++;
        gm.merge(t.method(), 1, Integer::sum);
      }
      for (int s : t.interim()) {
        resp++;
        gc.merge(Integer.toString(s), 1, Integer::sum);
      }
      if (t.status() != 0) {
        resp++;
        gc.merge(Integer.toString(t.status()), 1, Integer::sum);
      }
    }
    String got = req + " req " + resp + " resp " + gm + " " + gc;
    return new Result("tshark", exp, got, exp.equals(got));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static boolean any(List<JsonNode> rows, String field) {
    for (JsonNode r : rows) {
      if (r.hasNonNull(field)) {
        return true;
      }
    }
    return false;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }
}
