package org.avsnode.operator.slashing;

/**
 * The duty message types that slashing protection tracks (DESIGN.md §3). Each kind has its own
 * history and its own low watermark per (key, rollup).
 */
public enum MessageKind {
  FINALITY_ATTESTATION(1, "FinalityAttestation"),
  OUTPUT_VERDICT(2, "OutputVerdict"),
  SLOT_PROPOSAL(3, "SlotProposal"),
  SLOT_ATTESTATION(4, "SlotAttestation"),
  PRECONFIRMATION(5, "Preconfirmation");

  private final int code;
  private final String typeName;

  MessageKind(int code, String typeName) {
    this.code = code;
    this.typeName = typeName;
  }

  /** The stable number stored in the database. Never renumber. */
  public int code() {
    return code;
  }

  /** The EIP-712 type name, also used in the interchange JSON. */
  public String typeName() {
    return typeName;
  }

  /** Looks a kind up by its database code. */
  public static MessageKind fromCode(int code) {
    for (MessageKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new SlashingProtectionException("unknown message kind code " + code + " in database");
  }

  /** Looks a kind up by its EIP-712 type name. */
  public static MessageKind fromTypeName(String name) {
    for (MessageKind k : values()) {
      if (k.typeName.equals(name)) {
        return k;
      }
    }
    throw new InterchangeFormatException("unknown message type '" + name + "'");
  }
}
