package org.avsnode.certificate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.bls.eip712.TypedMessage;

/**
 * The five message types of DESIGN.md §3 as the certificate envelope and the network carry them:
 * their {@code message.type} name, their JSON fields (in the order of the EIP-712 type string;
 * uint64 and uint32 as JSON numbers, uint256 as a decimal string, bytes32 as 0x-hex, bool as a JSON
 * boolean), the stake epoch that weighs a quorum of them, and the height signatures of one operator
 * are grouped by (block number, output index or slot).
 *
 * <p>Only a type with a {@code stakeEpoch} can be certified by a quorum: {@code
 * FinalityAttestation}, {@code OutputVerdict} and {@code SlotAttestation}. {@code SlotProposal} and
 * {@code Preconfirmation} are signed by one leader; they travel in the same JSON form (evidence,
 * gossip) but a certificate of them is rejected.
 */
public final class MessageTypes {
  private MessageTypes() {}

  /** One message type's description. */
  public interface Type {
    /** The {@code message.type} value, the EIP-712 type name. */
    String name();

    /** The Java record of the message. */
    Class<? extends TypedMessage> javaType();

    /** The JSON fields, {@code type} included. */
    Set<String> fields();

    /** The stake epoch of a message; empty for the types no quorum signs. */
    OptionalLong stakeEpoch(TypedMessage m);

    long rollupId(TypedMessage m);

    /** The height one operator may sign once: block number, output index or slot. */
    BigInteger height(TypedMessage m);

    TypedMessage read(String path, ObjectNode msg) throws FormatException;

    void write(TypedMessage m, ObjectNode msg);
  }

  private static final Map<String, Type> BY_NAME = new LinkedHashMap<>();

  static {
    register(new Finality());
    register(new Verdict());
    register(new Proposal());
    register(new Attestation());
    register(new Preconf());
  }

  private static void register(Type t) {
    BY_NAME.put(t.name(), t);
  }

  /** Every type, in DESIGN.md §3 order. */
  public static List<Type> all() {
    return List.copyOf(BY_NAME.values());
  }

  /** The names of the types a quorum certifies. */
  public static Set<String> certifiable() {
    return Set.of("FinalityAttestation", "OutputVerdict", "SlotAttestation");
  }

  public static Optional<Type> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** The type of a message object. */
  public static Type of(TypedMessage m) {
    for (Type t : BY_NAME.values()) {
      if (t.javaType().isInstance(m)) {
        return t;
      }
    }
    throw new IllegalArgumentException("not a message type of DESIGN.md §3: " + m.getClass());
  }

  /**
   * Where one operator may sign only one message (DESIGN.md §4): a second, different message of the
   * same scope is an equivocation. A block for finality, a slot for slot attestations, and an
   * output (index and claimed root) for verdicts: two roots proposed for one index are two outputs.
   *
   * @param subject the claimed output root for verdicts (0x-hex), empty otherwise
   */
  public record Scope(String type, long rollupId, BigInteger height, String subject) {
    @Override
    public String toString() {
      return type
          + " rollupId="
          + rollupId
          + " height="
          + height
          + (subject.isEmpty() ? "" : " root=" + subject);
    }
  }

  public static Scope conflictScope(TypedMessage m) {
    Type t = of(m);
    String subject = m instanceof OutputVerdict v ? HexBytes.encode(v.outputRoot()) : "";
    return new Scope(t.name(), t.rollupId(m), t.height(m), subject);
  }

  /** Reads {@code $.message} (with its {@code type}) strictly. */
  public static TypedMessage read(String path, ObjectNode msg) throws FormatException {
    String name = StrictJson.string(path, msg, "type");
    Type t =
        byName(name)
            .orElseThrow(
                () -> new FormatException(path + ".type", "unknown message type '" + name + "'"));
    StrictJson.object(path, msg, t.fields());
    return t.read(path, msg);
  }

  /** Writes {@code m} with its {@code type} into {@code msg}. */
  public static void write(TypedMessage m, ObjectNode msg) {
    Type t = of(m);
    msg.put("type", t.name());
    t.write(m, msg);
  }

  private static final long U32 = Certificate.UINT32_MAX;

  private static final class Finality implements Type {
    @Override
    public String name() {
      return "FinalityAttestation";
    }

    @Override
    public Class<? extends TypedMessage> javaType() {
      return FinalityAttestation.class;
    }

    @Override
    public Set<String> fields() {
      return Set.of("type", "rollupId", "l2BlockNumber", "l2BlockHash", "outputRoot", "stakeEpoch");
    }

    @Override
    public OptionalLong stakeEpoch(TypedMessage m) {
      return OptionalLong.of(((FinalityAttestation) m).stakeEpoch());
    }

    @Override
    public long rollupId(TypedMessage m) {
      return ((FinalityAttestation) m).rollupId();
    }

    @Override
    public BigInteger height(TypedMessage m) {
      return BigInteger.valueOf(((FinalityAttestation) m).l2BlockNumber());
    }

    @Override
    public TypedMessage read(String p, ObjectNode o) throws FormatException {
      return new FinalityAttestation(
          StrictJson.unsigned(p, o, "rollupId", Long.MAX_VALUE),
          StrictJson.unsigned(p, o, "l2BlockNumber", Long.MAX_VALUE),
          StrictJson.hex(p, o, "l2BlockHash", 32),
          StrictJson.hex(p, o, "outputRoot", 32),
          StrictJson.unsigned(p, o, "stakeEpoch", U32));
    }

    @Override
    public void write(TypedMessage m, ObjectNode o) {
      FinalityAttestation f = (FinalityAttestation) m;
      o.put("rollupId", f.rollupId());
      o.put("l2BlockNumber", f.l2BlockNumber());
      o.put("l2BlockHash", HexBytes.encode(f.l2BlockHash()));
      o.put("outputRoot", HexBytes.encode(f.outputRoot()));
      o.put("stakeEpoch", f.stakeEpoch());
    }
  }

  private static final class Verdict implements Type {
    @Override
    public String name() {
      return "OutputVerdict";
    }

    @Override
    public Class<? extends TypedMessage> javaType() {
      return OutputVerdict.class;
    }

    @Override
    public Set<String> fields() {
      return Set.of("type", "rollupId", "outputIndex", "outputRoot", "valid", "stakeEpoch");
    }

    @Override
    public OptionalLong stakeEpoch(TypedMessage m) {
      return OptionalLong.of(((OutputVerdict) m).stakeEpoch());
    }

    @Override
    public long rollupId(TypedMessage m) {
      return ((OutputVerdict) m).rollupId();
    }

    @Override
    public BigInteger height(TypedMessage m) {
      return ((OutputVerdict) m).outputIndex();
    }

    @Override
    public TypedMessage read(String p, ObjectNode o) throws FormatException {
      return new OutputVerdict(
          StrictJson.unsigned(p, o, "rollupId", Long.MAX_VALUE),
          StrictJson.decimal(p, o, "outputIndex"),
          StrictJson.hex(p, o, "outputRoot", 32),
          StrictJson.bool(p, o, "valid"),
          StrictJson.unsigned(p, o, "stakeEpoch", U32));
    }

    @Override
    public void write(TypedMessage m, ObjectNode o) {
      OutputVerdict v = (OutputVerdict) m;
      o.put("rollupId", v.rollupId());
      o.put("outputIndex", v.outputIndex().toString());
      o.put("outputRoot", HexBytes.encode(v.outputRoot()));
      o.put("valid", v.valid());
      o.put("stakeEpoch", v.stakeEpoch());
    }
  }

  private static final class Proposal implements Type {
    @Override
    public String name() {
      return "SlotProposal";
    }

    @Override
    public Class<? extends TypedMessage> javaType() {
      return SlotProposal.class;
    }

    @Override
    public Set<String> fields() {
      return Set.of("type", "rollupId", "slot", "parentHash", "blockHash", "txListHash");
    }

    @Override
    public OptionalLong stakeEpoch(TypedMessage m) {
      return OptionalLong.empty();
    }

    @Override
    public long rollupId(TypedMessage m) {
      return ((SlotProposal) m).rollupId();
    }

    @Override
    public BigInteger height(TypedMessage m) {
      return BigInteger.valueOf(((SlotProposal) m).slot());
    }

    @Override
    public TypedMessage read(String p, ObjectNode o) throws FormatException {
      return new SlotProposal(
          StrictJson.unsigned(p, o, "rollupId", Long.MAX_VALUE),
          StrictJson.unsigned(p, o, "slot", Long.MAX_VALUE),
          StrictJson.hex(p, o, "parentHash", 32),
          StrictJson.hex(p, o, "blockHash", 32),
          StrictJson.hex(p, o, "txListHash", 32));
    }

    @Override
    public void write(TypedMessage m, ObjectNode o) {
      SlotProposal s = (SlotProposal) m;
      o.put("rollupId", s.rollupId());
      o.put("slot", s.slot());
      o.put("parentHash", HexBytes.encode(s.parentHash()));
      o.put("blockHash", HexBytes.encode(s.blockHash()));
      o.put("txListHash", HexBytes.encode(s.txListHash()));
    }
  }

  private static final class Attestation implements Type {
    @Override
    public String name() {
      return "SlotAttestation";
    }

    @Override
    public Class<? extends TypedMessage> javaType() {
      return SlotAttestation.class;
    }

    @Override
    public Set<String> fields() {
      return Set.of("type", "rollupId", "slot", "blockHash", "stakeEpoch");
    }

    @Override
    public OptionalLong stakeEpoch(TypedMessage m) {
      return OptionalLong.of(((SlotAttestation) m).stakeEpoch());
    }

    @Override
    public long rollupId(TypedMessage m) {
      return ((SlotAttestation) m).rollupId();
    }

    @Override
    public BigInteger height(TypedMessage m) {
      return BigInteger.valueOf(((SlotAttestation) m).slot());
    }

    @Override
    public TypedMessage read(String p, ObjectNode o) throws FormatException {
      return new SlotAttestation(
          StrictJson.unsigned(p, o, "rollupId", Long.MAX_VALUE),
          StrictJson.unsigned(p, o, "slot", Long.MAX_VALUE),
          StrictJson.hex(p, o, "blockHash", 32),
          StrictJson.unsigned(p, o, "stakeEpoch", U32));
    }

    @Override
    public void write(TypedMessage m, ObjectNode o) {
      SlotAttestation s = (SlotAttestation) m;
      o.put("rollupId", s.rollupId());
      o.put("slot", s.slot());
      o.put("blockHash", HexBytes.encode(s.blockHash()));
      o.put("stakeEpoch", s.stakeEpoch());
    }
  }

  private static final class Preconf implements Type {
    @Override
    public String name() {
      return "Preconfirmation";
    }

    @Override
    public Class<? extends TypedMessage> javaType() {
      return Preconfirmation.class;
    }

    @Override
    public Set<String> fields() {
      return Set.of("type", "rollupId", "slot", "txHash");
    }

    @Override
    public OptionalLong stakeEpoch(TypedMessage m) {
      return OptionalLong.empty();
    }

    @Override
    public long rollupId(TypedMessage m) {
      return ((Preconfirmation) m).rollupId();
    }

    @Override
    public BigInteger height(TypedMessage m) {
      return BigInteger.valueOf(((Preconfirmation) m).slot());
    }

    @Override
    public TypedMessage read(String p, ObjectNode o) throws FormatException {
      return new Preconfirmation(
          StrictJson.unsigned(p, o, "rollupId", Long.MAX_VALUE),
          StrictJson.unsigned(p, o, "slot", Long.MAX_VALUE),
          StrictJson.hex(p, o, "txHash", 32));
    }

    @Override
    public void write(TypedMessage m, ObjectNode o) {
      Preconfirmation c = (Preconfirmation) m;
      o.put("rollupId", c.rollupId());
      o.put("slot", c.slot());
      o.put("txHash", HexBytes.encode(c.txHash()));
    }
  }
}
