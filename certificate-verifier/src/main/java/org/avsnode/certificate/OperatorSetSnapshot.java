package org.avsnode.certificate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;

/**
 * An operator set at one stake epoch: what a certificate is verified against. Immutable. Public
 * keys are {@link BlsPublicKey} instances, so they were fully validated (on the curve, in G1, not
 * the identity) once, when the snapshot was built; verification then adds them unchecked.
 *
 * <p>Operators are held in the canonical order of {@link OperatorOrdering}; {@link #operator(int)}
 * position {@code i} is bit {@code i} of a certificate's signer bitmap. The total stake is the sum
 * of the stakes of the operators active at the epoch.
 */
public final class OperatorSetSnapshot {
  private static final Set<String> FIELDS =
      Set.of("avs", "id", "stakeEpoch", "totalStake", "operators");
  private static final Set<String> OPERATOR_FIELDS =
      Set.of("index", "address", "publicKey", "stake", "active");

  /**
   * One operator of the set.
   *
   * @param index the operator's permanent index in the registry's list for this operator set
   * @param address the operator's 20-byte address
   * @param publicKey its registered BLS public key
   * @param stake its stake at the epoch, in the registry's stake units (the sum of the
   *     AllocationManager's allocated stake over the set's strategies)
   * @param active whether it is a registered member at the epoch; an inactive operator keeps its
   *     position but its stake does not count and it cannot sign
   */
  public record Operator(
      long index, byte[] address, BlsPublicKey publicKey, BigInteger stake, boolean active) {
    public Operator {
      if (index < 0 || index > Certificate.UINT32_MAX) {
        throw new IllegalArgumentException("operator index must be a uint32");
      }
      Objects.requireNonNull(address, "address");
      if (address.length != Certificate.ADDRESS_SIZE) {
        throw new IllegalArgumentException("operator address must be 20 bytes");
      }
      address = address.clone();
      Objects.requireNonNull(publicKey, "publicKey");
      Objects.requireNonNull(stake, "stake");
      if (stake.signum() < 0 || stake.compareTo(StrictJson.UINT256_LIMIT) >= 0) {
        throw new IllegalArgumentException("operator stake must be a uint256");
      }
      if (!active && stake.signum() != 0) {
        throw new IllegalArgumentException("an inactive operator must have zero stake");
      }
    }

    @Override
    public byte[] address() {
      return address.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Operator p
          && index == p.index
          && Arrays.equals(address, p.address)
          && publicKey.equals(p.publicKey)
          && stake.equals(p.stake)
          && active == p.active;
    }

    @Override
    public int hashCode() {
      return Objects.hash(index, Arrays.hashCode(address), publicKey, stake, active);
    }

    @Override
    public String toString() {
      return "Operator[index="
          + index
          + ", address="
          + HexBytes.encode(address)
          + ", stake="
          + stake
          + (active ? "" : ", inactive")
          + "]";
    }
  }

  private final byte[] avs;
  private final long id;
  private final long stakeEpoch;
  private final List<Operator> operators;
  private final BigInteger totalStake;
  private final Map<AddressKey, Integer> positionByAddress;

  private OperatorSetSnapshot(byte[] avs, long id, long stakeEpoch, List<Operator> operators) {
    this.avs = avs;
    this.id = id;
    this.stakeEpoch = stakeEpoch;
    this.operators = operators;
    BigInteger total = BigInteger.ZERO;
    Map<AddressKey, Integer> byAddress = new HashMap<>();
    Set<BlsPublicKey> keys = new HashSet<>();
    for (int i = 0; i < operators.size(); i++) {
      Operator op = operators.get(i);
      if (byAddress.put(new AddressKey(op.address), i) != null) {
        throw new IllegalArgumentException(
            "operator " + HexBytes.encode(op.address) + " appears twice");
      }
      if (!keys.add(op.publicKey())) {
        throw new IllegalArgumentException(
            "public key of operator " + HexBytes.encode(op.address) + " is used twice");
      }
      if (op.active()) {
        total = total.add(op.stake());
      }
    }
    if (total.compareTo(StrictJson.UINT256_LIMIT) >= 0) {
      throw new IllegalArgumentException("total stake exceeds uint256");
    }
    this.totalStake = total;
    this.positionByAddress = Collections.unmodifiableMap(byAddress);
  }

  /**
   * A snapshot; the operators may come in any order and are put in canonical order.
   *
   * @throws IllegalArgumentException for a bad address, an id or epoch out of range, no operators,
   *     duplicate operators, keys or indices, or indices that are not dense
   */
  public static OperatorSetSnapshot of(
      byte[] avs, long id, long stakeEpoch, List<Operator> operators) {
    Objects.requireNonNull(avs, "avs");
    if (avs.length != Certificate.ADDRESS_SIZE) {
      throw new IllegalArgumentException("avs must be a 20-byte address");
    }
    if (id < 0 || id > Certificate.UINT32_MAX) {
      throw new IllegalArgumentException("operator set id must be a uint32");
    }
    if (stakeEpoch < 0 || stakeEpoch > Certificate.UINT32_MAX) {
      throw new IllegalArgumentException("stakeEpoch must be a uint32");
    }
    Objects.requireNonNull(operators, "operators");
    if (operators.isEmpty()) {
      throw new IllegalArgumentException("an operator set snapshot needs at least one operator");
    }
    for (Operator op : operators) {
      Objects.requireNonNull(op, "operator");
    }
    return new OperatorSetSnapshot(
        avs.clone(), id, stakeEpoch, List.copyOf(OperatorOrdering.arrange(operators)));
  }

  public byte[] avs() {
    return avs.clone();
  }

  public long id() {
    return id;
  }

  public long stakeEpoch() {
    return stakeEpoch;
  }

  /** The number of operators (the bitmap's bit count), inactive ones included. */
  public int size() {
    return operators.size();
  }

  /** The operator at bitmap position {@code position}. */
  public Operator operator(int position) {
    return operators.get(position);
  }

  /** All operators in canonical order. */
  public List<Operator> operators() {
    return operators;
  }

  /** The bitmap position of the operator with this address, if it is in the set. */
  public Optional<Integer> positionOf(byte[] address) {
    if (address == null || address.length != Certificate.ADDRESS_SIZE) {
      return Optional.empty();
    }
    return Optional.ofNullable(positionByAddress.get(new AddressKey(address)));
  }

  /** The sum of the stakes of the active operators. */
  public BigInteger totalStake() {
    return totalStake;
  }

  // ---------------------------------------------------------------- JSON

  /**
   * Parses the snapshot JSON form: {@code {"avs", "id", "stakeEpoch", "totalStake"?, "operators":
   * [{"index", "address", "publicKey", "stake", "active"}]}}. {@code publicKey} is the 48-byte
   * compressed form or the 128-byte EIP-2537 form (what {@code AvsRegistry.operatorSetAt} returns);
   * either is fully validated. {@code totalStake}, when present, must equal the computed sum.
   *
   * @throws FormatException naming the offending field
   */
  public static OperatorSetSnapshot fromJson(String json) throws FormatException {
    return fromJsonNode(StrictJson.parse(json));
  }

  static OperatorSetSnapshot fromJsonNode(JsonNode root) throws FormatException {
    ObjectNode top = StrictJson.object("$", root, FIELDS);
    byte[] avs = StrictJson.hex("$", top, "avs", Certificate.ADDRESS_SIZE);
    long id = StrictJson.unsigned("$", top, "id", Certificate.UINT32_MAX);
    long epoch = StrictJson.unsigned("$", top, "stakeEpoch", Certificate.UINT32_MAX);
    List<JsonNode> ops = StrictJson.array("$", top, "operators");
    List<Operator> parsed = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      String p = "$.operators[" + i + "]";
      ObjectNode o = StrictJson.object(p, ops.get(i), OPERATOR_FIELDS);
      long index = StrictJson.unsigned(p, o, "index", Certificate.UINT32_MAX);
      byte[] address = StrictJson.hex(p, o, "address", Certificate.ADDRESS_SIZE);
      byte[] keyBytes = StrictJson.hex(p, o, "publicKey", -1);
      BlsPublicKey key;
      try {
        if (keyBytes.length == BlsPublicKey.COMPRESSED_SIZE) {
          key = BlsPublicKey.fromBytes(keyBytes);
        } else if (keyBytes.length == BlsPublicKey.EIP2537_SIZE) {
          key = BlsPublicKey.fromEip2537(keyBytes);
        } else {
          throw new FormatException(
              p + ".publicKey",
              "expected 48 bytes (compressed) or 128 bytes (EIP-2537), got " + keyBytes.length);
        }
      } catch (BlsException e) {
        throw new FormatException(p + ".publicKey", "invalid BLS public key: " + e.getMessage());
      }
      BigInteger stake = StrictJson.decimal(p, o, "stake");
      boolean active = StrictJson.bool(p, o, "active");
      try {
        parsed.add(new Operator(index, address, key, stake, active));
      } catch (IllegalArgumentException e) {
        throw new FormatException(p, e.getMessage());
      }
    }
    OperatorSetSnapshot snapshot;
    try {
      snapshot = of(avs, id, epoch, parsed);
    } catch (IllegalArgumentException e) {
      throw new FormatException("$.operators", e.getMessage());
    }
    if (top.has("totalStake")) {
      BigInteger declared = StrictJson.decimal("$", top, "totalStake");
      if (!declared.equals(snapshot.totalStake)) {
        throw new FormatException(
            "$.totalStake",
            "declared "
                + declared
                + " but the active operators' stakes sum to "
                + snapshot.totalStake);
      }
    }
    return snapshot;
  }

  /** The JSON form (compressed public keys, operators in canonical order, totalStake included). */
  public String toJson() {
    ObjectNode top = StrictJson.MAPPER.createObjectNode();
    top.put("avs", HexBytes.encode(avs));
    top.put("id", id);
    top.put("stakeEpoch", stakeEpoch);
    top.put("totalStake", totalStake.toString());
    ArrayNode arr = top.putArray("operators");
    for (Operator op : operators) {
      ObjectNode o = arr.addObject();
      o.put("index", op.index());
      o.put("address", HexBytes.encode(op.address));
      o.put("publicKey", op.publicKey().toHex());
      o.put("stake", op.stake().toString());
      o.put("active", op.active());
    }
    return StrictJson.write(top);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OperatorSetSnapshot s
        && Arrays.equals(avs, s.avs)
        && id == s.id
        && stakeEpoch == s.stakeEpoch
        && operators.equals(s.operators);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(avs), id, stakeEpoch, operators);
  }

  @Override
  public String toString() {
    return "OperatorSetSnapshot[avs="
        + HexBytes.encode(avs)
        + ", id="
        + id
        + ", stakeEpoch="
        + stakeEpoch
        + ", operators="
        + operators.size()
        + ", totalStake="
        + totalStake
        + "]";
  }

  private record AddressKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof AddressKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }
}
