package org.avsnode.certificate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Strict field access over a Jackson tree: every failure is a {@link FormatException}. */
final class StrictJson {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  /** Non-negative decimal integer without leading zeros, at most 78 digits (uint256). */
  private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,77}");

  static final BigInteger UINT256_LIMIT = BigInteger.ONE.shiftLeft(256);

  private StrictJson() {}

  static JsonNode parse(String json) throws FormatException {
    if (json == null) {
      throw new FormatException("$", "input is null");
    }
    try {
      JsonNode root = MAPPER.readTree(json);
      if (root == null || root.isMissingNode()) {
        throw new FormatException("$", "empty document");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new FormatException("$", "not valid JSON: " + e.getOriginalMessage());
    }
  }

  static String write(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
  }

  static ObjectNode object(String path, JsonNode node, Set<String> fields) throws FormatException {
    if (node == null || !node.isObject()) {
      throw new FormatException(path, "expected a JSON object");
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw new FormatException(path + "." + name, "unknown field");
      }
    }
    return (ObjectNode) node;
  }

  static JsonNode required(String path, ObjectNode obj, String field) throws FormatException {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      throw new FormatException(path + "." + field, "missing field");
    }
    return v;
  }

  static String string(String path, ObjectNode obj, String field) throws FormatException {
    JsonNode v = required(path, obj, field);
    if (!v.isTextual()) {
      throw new FormatException(path + "." + field, "expected a string");
    }
    return v.textValue();
  }

  static byte[] hex(String path, ObjectNode obj, String field, int length) throws FormatException {
    return HexBytes.decode(path + "." + field, string(path, obj, field), length);
  }

  /** An integer JSON number in [0, max]. */
  static long unsigned(String path, ObjectNode obj, String field, long max) throws FormatException {
    JsonNode v = required(path, obj, field);
    String p = path + "." + field;
    if (!v.isIntegralNumber()) {
      throw new FormatException(p, "expected an integer number");
    }
    BigInteger b = v.bigIntegerValue();
    if (b.signum() < 0 || b.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new FormatException(p, "value " + b + " is out of range [0, " + max + "]");
    }
    return b.longValueExact();
  }

  static boolean bool(String path, ObjectNode obj, String field) throws FormatException {
    JsonNode v = required(path, obj, field);
    if (!v.isBoolean()) {
      throw new FormatException(path + "." + field, "expected true or false");
    }
    return v.booleanValue();
  }

  /** A uint256 written as a decimal string. */
  static BigInteger decimal(String path, ObjectNode obj, String field) throws FormatException {
    String s = string(path, obj, field);
    if (!DECIMAL.matcher(s).matches()) {
      throw new FormatException(
          path + "." + field,
          "expected a non-negative decimal integer string without leading zeros");
    }
    BigInteger b = new BigInteger(s);
    if (b.compareTo(UINT256_LIMIT) >= 0) {
      throw new FormatException(path + "." + field, "value exceeds uint256");
    }
    return b;
  }

  static List<JsonNode> array(String path, ObjectNode obj, String field) throws FormatException {
    JsonNode v = required(path, obj, field);
    if (!v.isArray()) {
      throw new FormatException(path + "." + field, "expected an array");
    }
    List<JsonNode> out = new ArrayList<>(v.size());
    v.forEach(out::add);
    return out;
  }
}
