package io.connscope.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks parts of a JSON report against the versioned schema ({@code
 * src/main/resources/schema/report-v1.json}), so that {@code connscope report} renders only what
 * connscope could have written: a report travels as a ticket attachment and is untrusted.
 *
 * <p>The keywords the schema uses are interpreted: {@code type} (one or several), {@code
 * properties}, {@code required}, {@code additionalProperties} (false or a schema), {@code items},
 * {@code enum}, {@code const}, {@code pattern}, {@code minimum}, {@code maximum} and local {@code
 * $ref}; others ({@code format}, annotations) are ignored. Parts are checked one at a time (one
 * connection, one transaction, one finding), so a report of any size is checked in bounded memory.
 * The first violation is an {@link Invalid} with a one-line message naming the JSON path.
 */
public final class SchemaCheck {
  /** A report that does not follow the schema. */
  static final class Invalid extends IOException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  private static final JsonNode SCHEMA = load();
  private static final Map<String, Pattern> PATTERNS = new HashMap<>();

  private SchemaCheck() {}

  private static JsonNode load() {
    try (InputStream in = SchemaCheck.class.getResourceAsStream("/schema/report-v1.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The schema of a top-level field ({@code capture}, {@code summary}...), null for an unknown one.
   */
  static JsonNode top(String field) {
    JsonNode s = SCHEMA.path("properties").get(field);
    return s == null ? null : resolve(s);
  }

  /** The schema of one element of a top-level array ({@code connections}, {@code findings}...). */
  static JsonNode item(String field) {
    JsonNode s = top(field);
    return s == null ? null : resolve(s.path("items"));
  }

  /** The schema of one transaction of a connection. */
  static JsonNode transaction() {
    return resolve(SCHEMA.path("$defs").path("transaction"));
  }

  /** The top-level fields a report must have. */
  static Iterator<JsonNode> required() {
    return SCHEMA.path("required").elements();
  }

  static boolean additionalTopFields() {
    return !SCHEMA.path("additionalProperties").isBoolean()
        || SCHEMA.path("additionalProperties").asBoolean();
  }

  /**
   * The schemas that references lead to, by the node holding the reference (an identity map of the
   * report schema's few {@code $ref} nodes): followed once, not split and walked per value.
   */
  private static final Map<JsonNode, JsonNode> RESOLVED = new java.util.IdentityHashMap<>();

  private static JsonNode resolve(JsonNode s) {
    if (!s.has("$ref")) {
      return s;
    }
    synchronized (RESOLVED) {
      return RESOLVED.computeIfAbsent(s, SchemaCheck::follow);
    }
  }

  private static JsonNode follow(JsonNode s) {
    for (int i = 0; i < 16 && s.has("$ref"); i++) {
      String ref = s.get("$ref").asText();
      if (!ref.startsWith("#/")) {
        throw new IllegalStateException("schema reference outside the schema: " + ref);
      }
      JsonNode t = SCHEMA;
      for (String part : ref.substring(2).split("/")) {
        t = t.path(part);
      }
      s = t;
    }
    return s;
  }

  /**
   * Checks a whole document against another schema of connscope's (one without {@code $ref}, such
   * as {@code schema/diff-v1.json}); throws an IOException naming the first violation's JSON path.
   */
  public static void validate(JsonNode doc, JsonNode schema) throws IOException {
    check(doc, schema, "$");
  }

  /** Checks {@code v} at {@code path} against {@code schema}. */
  static void check(JsonNode v, JsonNode schema, String path) throws Invalid {
    check(v, schema, new Where(null, path, -1));
  }

  /**
   * Where a value is: its parent and its field name or index, made into the JSON path ("$.a[3].b")
   * only for a message. A report of a million connections has tens of millions of values, each
   * checked, and their paths built as strings were a third of the check.
   */
  private record Where(Where parent, String name, int index) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      append(b);
      return b.toString();
    }

    private void append(StringBuilder b) {
      if (parent == null) {
        b.append(name); // the path given to the check, as it is
        return;
      }
      parent.append(b);
      if (index >= 0) {
        b.append('[').append(index).append(']');
      } else {
        b.append('.').append(Text.safe(name, 60));
      }
    }
  }

  private static void check(JsonNode v, JsonNode schema, Where path) throws Invalid {
    JsonNode s = resolve(schema);
    JsonNode type = s.get("type");
    if (type != null) {
      boolean ok = false;
      if (type.isArray()) {
        for (JsonNode t : type) {
          ok |= is(v, t.asText());
        }
      } else {
        ok = is(v, type.asText());
      }
      if (!ok) {
        throw new Invalid(
            path
                + " should be "
                + (type.isArray() ? join(type) : type.asText())
                + ", not "
                + kind(v));
      }
    }
    JsonNode c = s.get("const");
    if (c != null && !c.equals(v)) {
      throw new Invalid(path + " should be " + c + ", not " + shortly(v));
    }
    JsonNode e = s.get("enum");
    if (e != null) {
      boolean found = false;
      for (JsonNode x : e) {
        found |= x.equals(v) || x.isNumber() && v.isNumber() && x.asDouble() == v.asDouble();
      }
      if (!found) {
        throw new Invalid(path + " should be one of " + join(e) + ", not " + shortly(v));
      }
    }
    if (v.isTextual() && s.has("pattern")) {
      String p = s.get("pattern").asText();
      Pattern compiled;
      synchronized (PATTERNS) {
        compiled = PATTERNS.computeIfAbsent(p, Pattern::compile);
      }
      if (!compiled.matcher(v.asText()).find()) {
        throw new Invalid(path + " " + shortly(v) + " does not match " + p);
      }
    }
    if (v.isNumber()) {
      if (s.has("minimum") && v.asDouble() < s.get("minimum").asDouble()) {
        throw new Invalid(path + " should be at least " + s.get("minimum") + ", not " + v);
      }
      if (s.has("maximum") && v.asDouble() > s.get("maximum").asDouble()) {
        throw new Invalid(path + " should be at most " + s.get("maximum") + ", not " + v);
      }
    }
    if (v.isObject()) {
      for (JsonNode r : s.path("required")) {
        if (!v.has(r.asText())) {
          throw new Invalid(
              path + " lacks the required field \"" + Text.safe(r.asText(), 60) + "\"");
        }
      }
      JsonNode props = s.path("properties");
      JsonNode extra = s.get("additionalProperties");
      Iterator<Map.Entry<String, JsonNode>> it = v.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode ps = props.get(f.getKey());
        if (ps != null) {
          check(f.getValue(), ps, new Where(path, f.getKey(), -1));
        } else if (extra != null && extra.isBoolean() && !extra.asBoolean()) {
          throw new Invalid(
              path
                  + " has a field the schema does not know: \""
                  + Text.safe(f.getKey(), 60)
                  + "\"");
        } else if (extra != null && extra.isObject()) {
          check(f.getValue(), extra, new Where(path, f.getKey(), -1));
        }
      }
    }
    if (v.isArray() && s.has("minItems") && v.size() < s.get("minItems").asInt()) {
      throw new Invalid(
          path + " should have at least " + s.get("minItems") + " items, not " + v.size());
    }
    if (v.isArray() && s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
      throw new Invalid(
          path + " should have at most " + s.get("maxItems") + " items, not " + v.size());
    }
    if (v.isArray() && s.has("items")) {
      JsonNode items = s.get("items");
      for (int i = 0; i < v.size(); i++) {
        check(v.get(i), items, new Where(path, null, i));
      }
    }
  }

  private static boolean is(JsonNode v, String type) {
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" ->
          v.isIntegralNumber() || v.isNumber() && v.asDouble() == Math.rint(v.asDouble());
      case "number" -> v.isNumber();
      case "boolean" -> v.isBoolean();
      case "null" -> v.isNull();
      default -> true;
    };
  }

  static String kind(JsonNode v) {
    if (v.isObject()) {
      return "an object";
    }
    if (v.isArray()) {
      return "an array";
    }
    if (v.isTextual()) {
      return "the string " + shortly(v);
    }
    if (v.isNull()) {
      return "null";
    }
    if (v.isBoolean()) {
      return v.asText();
    }
    return v.isIntegralNumber() ? "the integer " + v : "the number " + v;
  }

  /** A value for an error message: short, on one line, safe for a terminal. */
  static String shortly(JsonNode v) {
    return Text.safe(v.isTextual() ? "\"" + v.asText() + "\"" : v.toString(), 60);
  }

  private static String join(JsonNode a) {
    StringBuilder b = new StringBuilder();
    for (JsonNode x : a) {
      b.append(b.length() == 0 ? "" : " or ").append(x.isTextual() ? x.asText() : x.toString());
    }
    return b.toString();
  }
}
