package org.avsnode.certificate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * THE rule that fixes the order of an operator set's operator list, and with it the meaning of bit
 * {@code i} of a certificate's signer bitmap. It lives here and nowhere else: the snapshot, the
 * verifier, the aggregator and the JSON formats all obtain positions through {@link
 * OperatorSetSnapshot}, which arranges its operators with {@link #arrange(List)}.
 *
 * <p>Current rule (matching {@code eigen-contracts} {@code AvsRegistry}): operators are listed by
 * their permanent registry index ({@code AvsRegistry.operatorIndex(operatorSetId, operator)}, the
 * order of {@code operatorSetAt}), ascending; the indices are dense, {@code 0 .. n-1}; the list
 * includes operators that are inactive at the snapshot's epoch (they keep their position, carry no
 * stake and cannot sign). Position {@code i} of the bitmap is therefore registry index {@code i},
 * and the registry's {@code nonSignerIndices} are the active positions whose bit is clear.
 */
public final class OperatorOrdering {
  /** One line describing the rule, for documentation and error messages. */
  public static final String RULE =
      "ascending permanent registry index (AvsRegistry.operatorIndex), dense from 0, inactive"
          + " operators included";

  private OperatorOrdering() {}

  /**
   * Puts operators into canonical order.
   *
   * @throws IllegalArgumentException when the operators cannot be ordered by the rule (duplicate or
   *     missing indices)
   */
  static List<OperatorSetSnapshot.Operator> arrange(List<OperatorSetSnapshot.Operator> operators) {
    List<OperatorSetSnapshot.Operator> sorted = new ArrayList<>(operators);
    sorted.sort(Comparator.comparingLong(OperatorSetSnapshot.Operator::index));
    for (int i = 0; i < sorted.size(); i++) {
      long idx = sorted.get(i).index();
      if (idx != i) {
        if (i > 0 && sorted.get(i - 1).index() == idx) {
          throw new IllegalArgumentException("operator index " + idx + " appears twice");
        }
        throw new IllegalArgumentException(
            "operator indices must be dense from 0 (" + RULE + "): index " + i + " is missing");
      }
    }
    return sorted;
  }

  /**
   * The registry's {@code nonSignerIndices} argument for a certificate with this bitmap: the
   * registry indices of the active operators that did not sign, strictly ascending.
   */
  public static long[] nonSignerIndices(OperatorSetSnapshot snapshot, SignerBitmap signers) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < snapshot.size(); i++) {
      OperatorSetSnapshot.Operator op = snapshot.operator(i);
      if (op.active() && !signers.isSigner(i)) {
        out.add(op.index());
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }
}
