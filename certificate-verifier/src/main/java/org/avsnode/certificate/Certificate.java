package org.avsnode.certificate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.TypedMessage;

/**
 * A quorum certificate (DESIGN.md §5): operators holding at least {@code thresholdBps} of an
 * operator set's stake at {@code stakeEpoch} signed one message digest. MACH's finality certificate
 * ({@code FinalityAttestation}, byte for byte the version-1 JSON of DESIGN.md §5) is one instance;
 * VITAL's verdict certificates ({@code OutputVerdict}) and SQUAD's slot certificates ({@code
 * SlotAttestation}) use the same envelope with their own {@code message.type} and fields (see
 * {@link MessageTypes}).
 *
 * <p>This class is a faithful, immutable image of the JSON document: it checks the form (types,
 * lengths, ranges) but not the meaning. Whether a certificate is valid is decided only by {@link
 * CertificateVerifier}, against an operator-set snapshot and the EIP-712 domain.
 */
public final class Certificate {
  /** The only certificate format version defined. */
  public static final int VERSION = 1;

  /** MACH's message type, the default of a {@link Builder}. */
  public static final String MESSAGE_TYPE = "FinalityAttestation";

  public static final int DIGEST_SIZE = 32;
  public static final int ADDRESS_SIZE = 20;
  public static final int SIGNATURE_SIZE = 96;
  public static final int SIGNATURE_EIP2537_SIZE = 256;

  static final long UINT32_MAX = 0xffffffffL;
  static final long UINT16_MAX = 0xffffL;

  private static final Set<String> TOP_FIELDS =
      Set.of(
          "version",
          "message",
          "digest",
          "operatorSet",
          "signers",
          "signedStake",
          "totalStake",
          "thresholdBps",
          "aggregateSignature",
          "aggregateSignatureEip2537");
  private static final Set<String> OPERATOR_SET_FIELDS = Set.of("avs", "id");

  private final int version;
  private final String messageType;
  private final TypedMessage message;
  private final byte[] digest;
  private final byte[] avs;
  private final long operatorSetId;
  private final byte[] signers;
  private final BigInteger signedStake;
  private final BigInteger totalStake;
  private final int thresholdBps;
  private final byte[] aggregateSignature;
  private final byte[] aggregateSignatureEip2537;

  private Certificate(Builder b) {
    if (b.version < 0) {
      throw new IllegalArgumentException("version must not be negative");
    }
    this.version = b.version;
    this.message = Objects.requireNonNull(b.message, "message");
    this.messageType = b.messageType != null ? b.messageType : MessageTypes.of(b.message).name();
    this.digest = exact("digest", b.digest, DIGEST_SIZE);
    this.avs = exact("operatorSet.avs", b.avs, ADDRESS_SIZE);
    if (b.operatorSetId < 0 || b.operatorSetId > UINT32_MAX) {
      throw new IllegalArgumentException("operatorSet.id must be a uint32");
    }
    this.operatorSetId = b.operatorSetId;
    this.signers = Objects.requireNonNull(b.signers, "signers").clone();
    this.signedStake = uint256("signedStake", b.signedStake);
    this.totalStake = uint256("totalStake", b.totalStake);
    if (b.thresholdBps < 0 || b.thresholdBps > UINT16_MAX) {
      throw new IllegalArgumentException("thresholdBps must be a uint16");
    }
    this.thresholdBps = b.thresholdBps;
    this.aggregateSignature = exact("aggregateSignature", b.aggregateSignature, SIGNATURE_SIZE);
    this.aggregateSignatureEip2537 =
        exact("aggregateSignatureEip2537", b.aggregateSignatureEip2537, SIGNATURE_EIP2537_SIZE);
  }

  private static byte[] exact(String field, byte[] v, int len) {
    Objects.requireNonNull(v, field);
    if (v.length != len) {
      throw new IllegalArgumentException(field + " must be " + len + " bytes, got " + v.length);
    }
    return v.clone();
  }

  private static BigInteger uint256(String field, BigInteger v) {
    Objects.requireNonNull(v, field);
    if (v.signum() < 0 || v.compareTo(StrictJson.UINT256_LIMIT) >= 0) {
      throw new IllegalArgumentException(field + " must be a uint256");
    }
    return v;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preloaded with this certificate's fields (handy for deriving variants). */
  public Builder toBuilder() {
    return new Builder()
        .version(version)
        .messageType(messageType)
        .message(message)
        .digest(digest)
        .operatorSet(avs, operatorSetId)
        .signers(signers)
        .signedStake(signedStake)
        .totalStake(totalStake)
        .thresholdBps(thresholdBps)
        .aggregateSignature(aggregateSignature)
        .aggregateSignatureEip2537(aggregateSignatureEip2537);
  }

  // ---------------------------------------------------------------- accessors

  public int version() {
    return version;
  }

  public String messageType() {
    return messageType;
  }

  /** The signed message (its Java type follows {@link #messageType()} when the two agree). */
  public TypedMessage message() {
    return message;
  }

  /**
   * The message as MACH's FinalityAttestation.
   *
   * @throws IllegalStateException for a certificate of another message type
   */
  public FinalityAttestation finalityAttestation() {
    if (message instanceof FinalityAttestation f) {
      return f;
    }
    throw new IllegalStateException("a " + messageType + " certificate, not FinalityAttestation");
  }

  /** The stake epoch the message names; empty for a type no quorum signs. */
  public java.util.OptionalLong stakeEpoch() {
    return MessageTypes.of(message).stakeEpoch(message);
  }

  public long rollupId() {
    return MessageTypes.of(message).rollupId(message);
  }

  /** Block number, output index or slot, by message type. */
  public BigInteger height() {
    return MessageTypes.of(message).height(message);
  }

  public byte[] digest() {
    return digest.clone();
  }

  /** The operator set's AVS address (20 bytes). */
  public byte[] operatorSetAvs() {
    return avs.clone();
  }

  public long operatorSetId() {
    return operatorSetId;
  }

  /** The raw signer bitmap (see {@link SignerBitmap} for the bit order). */
  public byte[] signers() {
    return signers.clone();
  }

  public BigInteger signedStake() {
    return signedStake;
  }

  public BigInteger totalStake() {
    return totalStake;
  }

  public int thresholdBps() {
    return thresholdBps;
  }

  /** The 96-byte compressed G2 aggregate signature. */
  public byte[] aggregateSignature() {
    return aggregateSignature.clone();
  }

  /** The 256-byte EIP-2537 G2 aggregate signature. */
  public byte[] aggregateSignatureEip2537() {
    return aggregateSignatureEip2537.clone();
  }

  // ---------------------------------------------------------------- JSON

  /**
   * Parses the JSON form of DESIGN.md §5. Strict: every field is required, unknown fields and
   * duplicate keys are rejected, numbers must be integers in range, hex must be 0x-prefixed with
   * the exact byte length, stakes are decimal strings without leading zeros.
   *
   * @throws FormatException naming the offending field
   */
  public static Certificate fromJson(String json) throws FormatException {
    return fromJsonNode(StrictJson.parse(json));
  }

  static Certificate fromJsonNode(JsonNode root) throws FormatException {
    try {
      return parse(root);
    } catch (IllegalArgumentException | NullPointerException e) {
      // every field is range-checked above, so this is a safety net, not an expected path
      throw new FormatException("$", "invalid certificate: " + e.getMessage());
    }
  }

  private static Certificate parse(JsonNode root) throws FormatException {
    ObjectNode top = StrictJson.object("$", root, TOP_FIELDS);
    Builder b = builder();
    b.version((int) StrictJson.unsigned("$", top, "version", Integer.MAX_VALUE));

    JsonNode msgNode = StrictJson.required("$", top, "message");
    if (!msgNode.isObject()) {
      throw new FormatException("$.message", "expected a JSON object");
    }
    TypedMessage m = MessageTypes.read("$.message", (ObjectNode) msgNode);
    b.message(m);
    b.messageType(MessageTypes.of(m).name());

    b.digest(StrictJson.hex("$", top, "digest", DIGEST_SIZE));
    ObjectNode set =
        StrictJson.object(
            "$.operatorSet", StrictJson.required("$", top, "operatorSet"), OPERATOR_SET_FIELDS);
    b.operatorSet(
        StrictJson.hex("$.operatorSet", set, "avs", ADDRESS_SIZE),
        StrictJson.unsigned("$.operatorSet", set, "id", UINT32_MAX));
    b.signers(StrictJson.hex("$", top, "signers", -1));
    b.signedStake(StrictJson.decimal("$", top, "signedStake"));
    b.totalStake(StrictJson.decimal("$", top, "totalStake"));
    b.thresholdBps((int) StrictJson.unsigned("$", top, "thresholdBps", UINT16_MAX));
    b.aggregateSignature(StrictJson.hex("$", top, "aggregateSignature", SIGNATURE_SIZE));
    b.aggregateSignatureEip2537(
        StrictJson.hex("$", top, "aggregateSignatureEip2537", SIGNATURE_EIP2537_SIZE));
    return b.build();
  }

  /** The JSON form, fields in the order of DESIGN.md §5, hex lowercase, indented. */
  public String toJson() {
    return StrictJson.write(toJsonNode());
  }

  ObjectNode toJsonNode() {
    ObjectNode top = StrictJson.MAPPER.createObjectNode();
    top.put("version", version);
    ObjectNode msg = top.putObject("message");
    MessageTypes.write(message, msg);
    msg.put("type", messageType); // as recorded, even when it disagrees with the message
    top.put("digest", HexBytes.encode(digest));
    ObjectNode set = top.putObject("operatorSet");
    set.put("avs", HexBytes.encode(avs));
    set.put("id", operatorSetId);
    top.put("signers", HexBytes.encode(signers));
    top.put("signedStake", signedStake.toString());
    top.put("totalStake", totalStake.toString());
    top.put("thresholdBps", thresholdBps);
    top.put("aggregateSignature", HexBytes.encode(aggregateSignature));
    top.put("aggregateSignatureEip2537", HexBytes.encode(aggregateSignatureEip2537));
    return top;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Certificate c
        && version == c.version
        && messageType.equals(c.messageType)
        && message.equals(c.message)
        && Arrays.equals(digest, c.digest)
        && Arrays.equals(avs, c.avs)
        && operatorSetId == c.operatorSetId
        && Arrays.equals(signers, c.signers)
        && signedStake.equals(c.signedStake)
        && totalStake.equals(c.totalStake)
        && thresholdBps == c.thresholdBps
        && Arrays.equals(aggregateSignature, c.aggregateSignature)
        && Arrays.equals(aggregateSignatureEip2537, c.aggregateSignatureEip2537);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        version, message, Arrays.hashCode(digest), operatorSetId, Arrays.hashCode(signers));
  }

  @Override
  public String toString() {
    return "Certificate["
        + messageType
        + ", rollupId="
        + rollupId()
        + ", height="
        + height()
        + ", digest="
        + HexBytes.encode(digest)
        + ", signers="
        + HexBytes.encode(signers)
        + ", signedStake="
        + signedStake
        + "/"
        + totalStake
        + "]";
  }

  /** Builds a certificate; {@link #build()} checks lengths and ranges. */
  public static final class Builder {
    private int version = VERSION;
    private String messageType;
    private TypedMessage message;
    private byte[] digest;
    private byte[] avs;
    private long operatorSetId;
    private byte[] signers;
    private BigInteger signedStake;
    private BigInteger totalStake;
    private int thresholdBps;
    private byte[] aggregateSignature;
    private byte[] aggregateSignatureEip2537;

    private Builder() {}

    public Builder version(int v) {
      this.version = v;
      return this;
    }

    /** Overrides {@code message.type} (only to build malformed certificates in tests). */
    public Builder messageType(String v) {
      this.messageType = v;
      return this;
    }

    /** The message; its type name becomes {@code message.type} unless set otherwise. */
    public Builder message(TypedMessage v) {
      this.message = v;
      return this;
    }

    public Builder digest(byte[] v) {
      this.digest = v == null ? null : v.clone();
      return this;
    }

    public Builder operatorSet(byte[] avsAddress, long id) {
      this.avs = avsAddress == null ? null : avsAddress.clone();
      this.operatorSetId = id;
      return this;
    }

    public Builder signers(byte[] v) {
      this.signers = v == null ? null : v.clone();
      return this;
    }

    public Builder signers(SignerBitmap v) {
      this.signers = v.toBytes();
      return this;
    }

    public Builder signedStake(BigInteger v) {
      this.signedStake = v;
      return this;
    }

    public Builder totalStake(BigInteger v) {
      this.totalStake = v;
      return this;
    }

    public Builder thresholdBps(int v) {
      this.thresholdBps = v;
      return this;
    }

    public Builder aggregateSignature(byte[] v) {
      this.aggregateSignature = v == null ? null : v.clone();
      return this;
    }

    public Builder aggregateSignatureEip2537(byte[] v) {
      this.aggregateSignatureEip2537 = v == null ? null : v.clone();
      return this;
    }

    /**
     * @throws IllegalArgumentException or NullPointerException for a missing field, a wrong length
     *     or a value out of range
     */
    public Certificate build() {
      return new Certificate(this);
    }
  }
}
