package org.avsnode.operator.slashing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The interchange JSON, modelled on EIP-3076. Numbers are decimal strings, byte strings are
 * 0x-prefixed hex:
 *
 * <pre>{@code
 * {"metadata": {"interchange_format": "avs-node-slashing-protection",
 *               "interchange_format_version": "1",
 *               "domain_separator": "0x..32 bytes", "chain_id": "1", "verifying_contract": "0x..20"},
 *  "data": [{"pubkey": "0x..48 bytes",
 *            "watermarks": [{"type": "FinalityAttestation", "rollup_id": "1", "height": "99"}],
 *            "finality_attestations": [{"rollup_id", "l2_block_number", "digest"}],
 *            "output_verdicts": [{"rollup_id", "output_index", "output_root", "valid", "digest"}],
 *            "slot_proposals": [{"rollup_id", "slot", "digest", "tx_hashes": ["0x.."]}],
 *            "slot_attestations": [{"rollup_id", "slot", "block_hash", "digest"}],
 *            "preconfirmations": [{"rollup_id", "slot", "tx_hash", "digest"}]}]}
 * }</pre>
 *
 * <p>{@code domain_separator} plays the role of EIP-3076's genesis_validators_root; {@code digest}
 * (the signed EIP-712 digest) may be omitted, like EIP-3076's signing_root. Unknown fields are
 * rejected.
 */
public final class InterchangeJson {
  public static final String FORMAT_NAME = "avs-node-slashing-protection";

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /**
   * Heights (and watermarks) at or above 2^48 are refused as implausible: at one block every 100 ms
   * no chain reaches them in 890,000 years, and a watermark there would stop the key from ever
   * signing that kind again.
   */
  public static final BigInteger PLAUSIBLE_HEIGHT_LIMIT = BigInteger.ONE.shiftLeft(48);

  private static final HexFormat HEX = HexFormat.of();

  private InterchangeJson() {}

  /** Parses and validates an interchange document. */
  public static Interchange read(InputStream in) {
    JsonNode root;
    try {
      root = MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw new InterchangeFormatException(
          "interchange is not valid JSON (or repeats a key): " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InterchangeFormatException("cannot read interchange: " + e.getMessage(), e);
    }
    return parse(root);
  }

  /**
   * Reads an interchange document in bounded memory: every key's history is handed to {@code sink}
   * in pieces of at most {@code chunkSize} records (each piece an {@link Interchange} of one key,
   * with the key's watermarks read so far), so a file of any length is never held whole. The checks
   * are those of {@link #read}; {@code metadata} must precede {@code data}, as every exporter
   * writes it, and within a key {@code pubkey} should precede the records (otherwise that key's
   * records are held until it comes).
   *
   * @throws InterchangeFormatException at the first problem; pieces before it were delivered
   */
  public static void stream(
      InputStream in, int chunkSize, java.util.function.Consumer<Interchange> sink) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be positive");
    }
    try (com.fasterxml.jackson.core.JsonParser p = MAPPER.getFactory().createParser(in)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        throw new InterchangeFormatException("interchange must be a JSON object");
      }
      SlashingDomain domain = null;
      boolean data = false;
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("metadata")) {
          com.fasterxml.jackson.databind.node.ObjectNode wrap = MAPPER.createObjectNode();
          wrap.set("metadata", p.readValueAsTree());
          domain = parseMetadata(object(wrap, "metadata", "interchange"));
        } else if (field.equals("data")) {
          if (domain == null) {
            throw new InterchangeFormatException(
                "interchange.metadata must come before data to be read in bounded memory");
          }
          if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
            throw new InterchangeFormatException("interchange.data must be an array");
          }
          int i = 0;
          while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
            streamKey(p, domain, "data[" + i++ + "]", chunkSize, sink);
          }
          data = true;
        } else {
          throw new InterchangeFormatException("interchange." + field + " is not allowed");
        }
      }
      if (domain == null) {
        throw new InterchangeFormatException("interchange.metadata is missing");
      }
      if (!data) {
        throw new InterchangeFormatException("interchange.data must be an array");
      }
      if (p.nextToken() != null) {
        throw new InterchangeFormatException("trailing content after the interchange object");
      }
    } catch (JsonProcessingException e) {
      throw new InterchangeFormatException(
          "interchange is not valid JSON (or repeats a key): " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InterchangeFormatException("cannot read interchange: " + e.getMessage(), e);
    }
  }

  private static void streamKey(
      com.fasterxml.jackson.core.JsonParser p,
      SlashingDomain domain,
      String where,
      int chunkSize,
      java.util.function.Consumer<Interchange> sink)
      throws IOException {
    if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
      throw new InterchangeFormatException(where + " must be an object");
    }
    java.util.Map<String, KindSpec> arrays = new java.util.HashMap<>();
    KindSpec.ALL.values().forEach(spec -> arrays.put(spec.arrayField(), spec));
    byte[] pubkey = null;
    List<Interchange.Watermark> wms = new ArrayList<>();
    List<HistoryEntry> buffer = new ArrayList<>();
    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("pubkey")) {
        com.fasterxml.jackson.databind.node.ObjectNode k = MAPPER.createObjectNode();
        k.set("pubkey", p.readValueAsTree());
        pubkey = checkedPubkey(k, where);
      } else if (field.equals("watermarks")) {
        com.fasterxml.jackson.databind.node.ObjectNode k = MAPPER.createObjectNode();
        k.set("watermarks", p.readValueAsTree());
        wms.addAll(parseWatermarks(k, where));
      } else if (arrays.containsKey(field)) {
        KindSpec spec = arrays.get(field);
        String at = where + "." + field + "[]";
        if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
          throw new InterchangeFormatException(where + "." + field + " must be an array");
        }
        while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
          JsonNode r = p.readValueAsTree();
          if (r == null || !r.isObject()) {
            throw new InterchangeFormatException(at + " must be an object");
          }
          buffer.add(parseRecord(spec, r, at));
          if (pubkey != null && buffer.size() >= chunkSize) {
            sink.accept(
                new Interchange(
                    domain, List.of(new Interchange.KeyHistory(pubkey, List.copyOf(wms), buffer))));
            buffer = new ArrayList<>();
          }
        }
      } else {
        throw new InterchangeFormatException(where + "." + field + " is not allowed");
      }
    }
    if (pubkey == null) {
      throw new InterchangeFormatException(where + ".pubkey is missing");
    }
    sink.accept(
        new Interchange(
            domain, List.of(new Interchange.KeyHistory(pubkey, List.copyOf(wms), buffer))));
  }

  /** Parses and validates an interchange document given as a string. */
  public static Interchange read(String json) {
    return read(
        new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  static Interchange parse(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new InterchangeFormatException("interchange must be a JSON object");
    }
    allowOnly(root, "interchange", "metadata", "data");
    SlashingDomain domain = parseMetadata(object(root, "metadata", "interchange"));
    JsonNode data = root.get("data");
    if (data == null || !data.isArray()) {
      throw new InterchangeFormatException("interchange.data must be an array");
    }
    List<Interchange.KeyHistory> keys = new ArrayList<>();
    int i = 0;
    for (JsonNode k : data) {
      keys.add(parseKey(k, "data[" + i++ + "]"));
    }
    return new Interchange(domain, keys);
  }

  private static SlashingDomain parseMetadata(JsonNode meta) {
    allowOnly(
        meta,
        "metadata",
        "interchange_format",
        "interchange_format_version",
        "domain_separator",
        "chain_id",
        "verifying_contract");
    String format = text(meta, "interchange_format", "metadata");
    if (!FORMAT_NAME.equals(format)) {
      throw new InterchangeFormatException(
          "unsupported interchange_format '" + format + "', expected " + FORMAT_NAME);
    }
    String version = text(meta, "interchange_format_version", "metadata");
    if (!String.valueOf(Interchange.FORMAT_VERSION).equals(version)) {
      throw new InterchangeFormatException(
          "unsupported interchange_format_version '"
              + version
              + "', this node reads version "
              + Interchange.FORMAT_VERSION);
    }
    byte[] separator = hex(meta, "domain_separator", "metadata", 32);
    SlashingDomain domain;
    if (meta.has("chain_id") || meta.has("verifying_contract")) {
      long chainId =
          uint(meta, "chain_id", "metadata", BigInteger.valueOf(Long.MAX_VALUE)).longValue();
      byte[] contract = hex(meta, "verifying_contract", "metadata", 20);
      if (chainId <= 0) {
        throw new InterchangeFormatException("metadata.chain_id must be positive");
      }
      domain = SlashingDomain.of(chainId, contract);
      if (!java.util.Arrays.equals(domain.separator(), separator)) {
        throw new InterchangeFormatException(
            "metadata.domain_separator does not match chain_id and verifying_contract");
      }
    } else {
      domain = SlashingDomain.ofSeparator(separator);
    }
    return domain;
  }

  private static Interchange.KeyHistory parseKey(JsonNode k, String where) {
    if (!k.isObject()) {
      throw new InterchangeFormatException(where + " must be an object");
    }
    List<String> top = new ArrayList<>(List.of("pubkey", "watermarks"));
    KindSpec.ALL.values().forEach(spec -> top.add(spec.arrayField()));
    allowOnly(k, where, top.toArray(String[]::new));
    byte[] pubkey = checkedPubkey(k, where);
    List<Interchange.Watermark> wms = parseWatermarks(k, where);
    List<HistoryEntry> entries = new ArrayList<>();
    for (KindSpec spec : KindSpec.ALL.values()) {
      String at = where + "." + spec.arrayField() + "[]";
      for (JsonNode r : array(k, spec.arrayField(), where)) {
        entries.add(parseRecord(spec, r, at));
      }
    }
    return new Interchange.KeyHistory(pubkey, wms, entries);
  }

  private static HistoryEntry parseRecord(KindSpec spec, JsonNode r, String at) {
    List<String> fields = new ArrayList<>(List.of("rollup_id", spec.heightField(), "digest"));
    if (spec.hasSubject()) {
      fields.add(spec.subjectField());
    }
    if (spec.hasValid()) {
      fields.add("valid");
    }
    if (spec.coverage() == KindSpec.Coverage.PROPOSAL) {
      fields.add("tx_hashes");
    }
    allowOnly(r, at, fields.toArray(String[]::new));
    Boolean valid = null;
    if (spec.hasValid()) {
      JsonNode v = r.get("valid");
      if (v == null || !v.isBoolean()) {
        throw new InterchangeFormatException(at + ".valid must be true or false");
      }
      valid = v.booleanValue();
    }
    List<byte[]> txs = new ArrayList<>();
    if (spec.coverage() == KindSpec.Coverage.PROPOSAL) {
      for (JsonNode t : array(r, "tx_hashes", at)) {
        txs.add(hexValue(t, at + ".tx_hashes[]", 32));
      }
    }
    return entry(
        spec.kind(),
        rollupId(r, at),
        uint(r, spec.heightField(), at, spec.maxHeight()),
        spec.hasSubject() ? hex(r, spec.subjectField(), at, 32) : null,
        valid,
        optDigest(r, at),
        txs);
  }

  private static byte[] checkedPubkey(JsonNode k, String where) {
    byte[] pubkey = hex(k, "pubkey", where, 48);
    try {
      // the same check as registration: on the curve, in the subgroup, not the identity
      org.avsnode.bls.BlsPublicKey.fromBytes(pubkey);
    } catch (org.avsnode.bls.BlsException e) {
      throw new InterchangeFormatException(
          where + ".pubkey is not a BLS12-381 public key: " + e.getMessage());
    }
    return pubkey;
  }

  private static List<Interchange.Watermark> parseWatermarks(JsonNode k, String where) {
    List<Interchange.Watermark> wms = new ArrayList<>();
    for (JsonNode w : array(k, "watermarks", where)) {
      String at = where + ".watermarks[]";
      allowOnly(w, at, "type", "rollup_id", "height");
      MessageKind kind = MessageKind.fromTypeName(text(w, "type", at));
      wms.add(
          new Interchange.Watermark(kind, rollupId(w, at), uint(w, "height", at, maxHeight(kind))));
    }
    return wms;
  }

  private static HistoryEntry entry(
      MessageKind kind,
      long rollupId,
      BigInteger height,
      byte[] subject,
      Boolean valid,
      byte[] digest,
      List<byte[]> txs) {
    try {
      return new HistoryEntry(kind, rollupId, height, subject, valid, digest, txs);
    } catch (InvalidSigningRequestException e) {
      throw new InterchangeFormatException("invalid " + kind.typeName() + ": " + e.getMessage());
    }
  }

  /** Writes {@code interchange} as pretty-printed JSON. */
  public static void write(Interchange interchange, OutputStream out) {
    try {
      MAPPER.writeValue(out, toJson(interchange));
    } catch (IOException e) {
      throw new SlashingProtectionException("cannot write interchange: " + e.getMessage(), e);
    }
  }

  /** The interchange as a JSON string. */
  public static String toString(Interchange interchange) {
    try {
      return MAPPER.writeValueAsString(toJson(interchange));
    } catch (JsonProcessingException e) {
      throw new SlashingProtectionException("cannot serialize interchange", e);
    }
  }

  static ObjectNode toJson(Interchange ic) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode meta = root.putObject("metadata");
    meta.put("interchange_format", FORMAT_NAME);
    meta.put("interchange_format_version", String.valueOf(Interchange.FORMAT_VERSION));
    meta.put("domain_separator", hex(ic.domain().separator()));
    if (ic.domain().chainId() > 0) {
      meta.put("chain_id", String.valueOf(ic.domain().chainId()));
      meta.put("verifying_contract", hex(ic.domain().verifyingContract()));
    }
    ArrayNode data = root.putArray("data");
    for (Interchange.KeyHistory kh : ic.keys()) {
      ObjectNode k = data.addObject();
      k.put("pubkey", hex(kh.pubkey()));
      ArrayNode wms = k.putArray("watermarks");
      for (Interchange.Watermark w : kh.watermarks()) {
        ObjectNode o = wms.addObject();
        o.put("type", w.kind().typeName());
        o.put("rollup_id", String.valueOf(w.rollupId()));
        o.put("height", w.height().toString());
      }
      java.util.Map<MessageKind, ArrayNode> arrays = new java.util.EnumMap<>(MessageKind.class);
      for (KindSpec spec : KindSpec.ALL.values()) {
        arrays.put(spec.kind(), k.putArray(spec.arrayField()));
      }
      for (HistoryEntry e : kh.entries()) {
        KindSpec spec = KindSpec.of(e.kind());
        ObjectNode o = arrays.get(e.kind()).addObject();
        o.put("rollup_id", String.valueOf(e.rollupId()));
        o.put(spec.heightField(), e.height().toString());
        if (spec.hasSubject()) {
          o.put(spec.subjectField(), hex(e.subject()));
        }
        if (spec.hasValid()) {
          o.put("valid", e.valid());
        }
        if (spec.coverage() == KindSpec.Coverage.PROPOSAL) {
          ArrayNode txs = o.putArray("tx_hashes");
          for (byte[] t : e.txHashes()) {
            txs.add(hex(t));
          }
        }
        if (e.digest() != null) {
          o.put("digest", hex(e.digest()));
        }
      }
    }
    return root;
  }

  // ---------------------------------------------------------------- helpers

  private static BigInteger maxHeight(MessageKind kind) {
    return KindSpec.of(kind).maxHeight();
  }

  private static void allowOnly(JsonNode node, String where, String... names) {
    if (!node.isObject()) {
      throw new InterchangeFormatException(where + " must be an object");
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    outer:
    while (it.hasNext()) {
      String f = it.next().getKey();
      for (String n : names) {
        if (n.equals(f)) {
          continue outer;
        }
      }
      throw new InterchangeFormatException(where + " has unknown field '" + f + "'");
    }
  }

  private static JsonNode object(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isObject()) {
      throw new InterchangeFormatException(where + "." + field + " must be an object");
    }
    return v;
  }

  private static Iterable<JsonNode> array(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new InterchangeFormatException(where + "." + field + " must be an array");
    }
    return v;
  }

  private static String text(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new InterchangeFormatException(where + "." + field + " must be a string");
    }
    return v.textValue();
  }

  private static long rollupId(JsonNode n, String where) {
    return uint(n, "rollup_id", where, BigInteger.valueOf(Long.MAX_VALUE)).longValue();
  }

  private static BigInteger uint(JsonNode n, String field, String where, BigInteger max) {
    String s = text(n, field, where);
    if (s.isEmpty() || s.length() > 78 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      throw new InterchangeFormatException(
          where + "." + field + " must be a decimal string, got '" + abbreviate(s) + "'");
    }
    BigInteger v = new BigInteger(s);
    if (v.compareTo(max) > 0) {
      throw new InterchangeFormatException(where + "." + field + " is too large: " + s);
    }
    if (!field.equals("rollup_id")
        && !field.equals("chain_id")
        && v.compareTo(PLAUSIBLE_HEIGHT_LIMIT) >= 0) {
      throw new InterchangeFormatException(
          where
              + "."
              + field
              + " "
              + s
              + " is implausible (at or above 2^48): it would stop this key from ever signing"
              + " again; nothing imported");
    }
    return v;
  }

  private static byte[] optDigest(JsonNode n, String where) {
    JsonNode v = n.get("digest");
    if (v == null || v.isNull()) {
      return null;
    }
    return hexValue(v, where + ".digest", 32);
  }

  private static byte[] hex(JsonNode n, String field, String where, int len) {
    JsonNode v = n.get(field);
    if (v == null) {
      throw new InterchangeFormatException(where + "." + field + " is missing");
    }
    return hexValue(v, where + "." + field, len);
  }

  private static byte[] hexValue(JsonNode v, String where, int len) {
    if (!v.isTextual()) {
      throw new InterchangeFormatException(where + " must be a 0x-prefixed hex string");
    }
    String s = v.textValue();
    if (!s.startsWith("0x") || s.length() != 2 + 2 * len) {
      throw new InterchangeFormatException(
          where + " must be 0x followed by " + (2 * len) + " hex digits");
    }
    try {
      return HEX.parseHex(s, 2, s.length());
    } catch (IllegalArgumentException e) {
      throw new InterchangeFormatException(where + " is not valid hex");
    }
  }

  private static String hex(byte[] b) {
    return "0x" + HEX.formatHex(b);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
