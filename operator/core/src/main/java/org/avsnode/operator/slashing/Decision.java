package org.avsnode.operator.slashing;

import java.util.Objects;

/**
 * The answer of {@link SlashingProtection#checkAndRecord}: either allowed (and already recorded) or
 * refused with a reason.
 */
public final class Decision {
  private static final Decision ALLOWED = new Decision(null, "allowed");
  private static final Decision ALLOWED_REPEAT =
      new Decision(null, "allowed: identical content already signed");

  private final RefusalReason reason;
  private final String detail;

  private Decision(RefusalReason reason, String detail) {
    this.reason = reason;
    this.detail = detail;
  }

  public static Decision allowed() {
    return ALLOWED;
  }

  /** Allowed because exactly this content was signed before (BLS signing is deterministic). */
  public static Decision allowedRepeat() {
    return ALLOWED_REPEAT;
  }

  public static Decision refused(RefusalReason reason, String detail) {
    return new Decision(Objects.requireNonNull(reason), Objects.requireNonNull(detail));
  }

  public boolean isAllowed() {
    return reason == null;
  }

  /** The reason for a refusal; {@code null} when allowed. */
  public RefusalReason reason() {
    return reason;
  }

  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return isAllowed()
        ? "Decision[" + detail + "]"
        : "Decision[refused " + reason + ": " + detail + "]";
  }
}
