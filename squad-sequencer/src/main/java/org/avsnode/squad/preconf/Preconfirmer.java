package org.avsnode.squad.preconf;

import java.security.SignatureException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.operator.slashing.SigningResult;
import org.avsnode.operator.spi.DutySigner;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.transaction.type.ITransaction;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.crypto.transaction.type.Transaction2930;
import org.web3j.utils.Numeric;

/**
 * The slot leader's preconfirmations: each signed L2 transaction it accepts for a slot gets a
 * signed {@code Preconfirmation(rollupId, slot, txHash)}, made through the node's signer (so
 * slashing protection records it, and refuses it once the slot's proposal is signed without it).
 * The accepted transactions of a slot are kept in acceptance order for sealing. Thread-safe.
 *
 * <p>A transaction is refused, with a reason and without a signature, when it is not a signed
 * Ethereum transaction, is signed for another chain, has no recoverable sender or a signature
 * outside Ethereum's ranges (a high s, EIP-2), is too large, when the slot is full or already
 * sealed, or when the signer refuses.
 */
public final class Preconfirmer {
  /** Why a transaction was not preconfirmed. */
  public enum Reason {
    MALFORMED,
    TOO_LARGE,
    WRONG_CHAIN,
    BAD_SIGNATURE,
    SLOT_FULL,
    SLOT_SEALED,
    SIGNER_REFUSED,
    /** The admission check (the leader's view of the L2 state: nonce, balance, gas) said no. */
    NOT_ADMITTED,
    /** The escape hatch may take the slot before its commitment lands (see SquadDuty). */
    ESCAPE_HATCH
  }

  /** What the leader checks a decoded transaction against before it signs. */
  public record Tx(
      byte[] txHash,
      String sender,
      java.math.BigInteger nonce,
      java.math.BigInteger gasLimit,
      java.math.BigInteger maxFeePerGas,
      java.math.BigInteger value,
      boolean create,
      byte[] data) {}

  /**
   * The leader's admission check, run after the slot's place is reserved and before the
   * preconfirmation is signed: it refuses a transaction the block could not hold (a nonce out of
   * order, a balance that cannot pay, no gas left in the block). {@link #release} is called when a
   * transaction it admitted is not signed after all.
   */
  public interface Admission {
    Admission ANY =
        new Admission() {
          @Override
          public String refuse(long slot, Tx tx) {
            return null;
          }

          @Override
          public void release(long slot, Tx tx) {}
        };

    /** Null to admit; otherwise why not. */
    String refuse(long slot, Tx tx);

    void release(long slot, Tx tx);
  }

  /** The outcome of one request. */
  public sealed interface Outcome permits Accepted, Refused {}

  /**
   * A preconfirmation: the transaction will be in the block of {@code slot}.
   *
   * @param repeat the transaction was already preconfirmed for this slot (same signature)
   */
  public record Accepted(
      long slot, byte[] txHash, String sender, BlsSignature signature, boolean repeat)
      implements Outcome {}

  /** A refusal; nothing was signed. */
  public record Refused(Reason reason, String detail) implements Outcome {}

  /** One accepted transaction of a slot, in acceptance order. */
  public record Pending(byte[] txHash, byte[] rawTx, String sender, BlsSignature signature) {}

  private final DutySigner signer;
  private final long rollupId;
  private final long l2ChainId;
  private final int maxTxBytes;
  private final int maxTxPerSlot;
  private final Map<Long, SlotBook> slots = new HashMap<>();

  private static final class SlotBook {
    final Map<String, Pending> accepted = new HashMap<>();

    /** {@link #accepted}'s values, in the same order, by position. */
    final List<Pending> order = new ArrayList<>();

    int reserved;
    int inFlight;
    boolean sealed;
  }

  public Preconfirmer(
      DutySigner signer, long rollupId, long l2ChainId, int maxTxBytes, int maxTxPerSlot) {
    this.signer = Objects.requireNonNull(signer, "signer");
    if (maxTxBytes <= 0 || maxTxPerSlot <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.rollupId = rollupId;
    this.l2ChainId = l2ChainId;
    this.maxTxBytes = maxTxBytes;
    this.maxTxPerSlot = maxTxPerSlot;
  }

  /** Preconfirms {@code rawTx} (a signed transaction, as eth_sendRawTransaction takes it). */
  public Outcome preconfirm(long slot, byte[] rawTx) {
    return preconfirm(slot, rawTx, Admission.ANY);
  }

  /**
   * Preconfirms {@code rawTx} when {@code admission} admits it: the leader's path, which checks the
   * transaction against the L2 state the block is built on.
   */
  public Outcome preconfirm(long slot, byte[] rawTx, Admission admission) {
    if (slot < 0) {
      throw new IllegalArgumentException("slots start at 0");
    }
    if (rawTx == null || rawTx.length == 0) {
      return new Refused(Reason.MALFORMED, "empty transaction");
    }
    if (rawTx.length > maxTxBytes) {
      return new Refused(
          Reason.TOO_LARGE, rawTx.length + " bytes, more than the " + maxTxBytes + " accepted");
    }
    byte[] txHash = Hash.sha3(rawTx);
    Tx tx;
    try {
      tx = checkTransaction(rawTx, txHash, l2ChainId);
    } catch (Rejection r) {
      return r.refused;
    }
    String sender = tx.sender();
    String key = Numeric.toHexString(txHash);
    synchronized (this) {
      SlotBook book = slots.computeIfAbsent(slot, s -> new SlotBook());
      Pending known = book.accepted.get(key);
      if (known != null) {
        return new Accepted(slot, txHash, known.sender(), known.signature(), true);
      }
      if (book.sealed) {
        return new Refused(Reason.SLOT_SEALED, "slot " + slot + " is sealed");
      }
      if (book.reserved >= maxTxPerSlot) {
        return new Refused(Reason.SLOT_FULL, "slot " + slot + " holds " + maxTxPerSlot);
      }
      book.reserved++;
      book.inFlight++;
    }
    // the admission reads L2 and signing writes to the slashing-protection database: outside the
    // lock; sealing waits for every reserved place to be settled
    String notAdmitted;
    try {
      notAdmitted = admission.refuse(slot, tx);
    } catch (RuntimeException e) {
      notAdmitted = "admission failed: " + firstLine(e);
    }
    SigningResult r =
        notAdmitted == null ? signer.sign(new Preconfirmation(rollupId, slot, txHash)) : null;
    synchronized (this) {
      SlotBook book = slots.computeIfAbsent(slot, s -> new SlotBook());
      book.inFlight--;
      notifyAll();
      Pending known = book.accepted.get(key);
      if (r == null) {
        book.reserved--;
        if (known != null) {
          return new Accepted(slot, txHash, known.sender(), known.signature(), true);
        }
        return new Refused(Reason.NOT_ADMITTED, notAdmitted);
      }
      if (!r.isSigned()) {
        book.reserved--;
        admission.release(slot, tx);
        if (known != null) {
          return new Accepted(slot, txHash, known.sender(), known.signature(), true);
        }
        return new Refused(Reason.SIGNER_REFUSED, r.reason() + ": " + r.detail());
      }
      if (known != null) {
        // the same transaction raced itself: one entry, the same digest signed twice
        book.reserved--;
        admission.release(slot, tx);
        return new Accepted(slot, txHash, known.sender(), known.signature(), true);
      }
      Pending p = new Pending(txHash, rawTx.clone(), sender, r.signature());
      book.accepted.put(key, p);
      book.order.add(p);
      return new Accepted(slot, txHash, sender, r.signature(), false);
    }
  }

  /**
   * Takes {@code places} of the slot's {@code max-tx-per-slot} for transactions its block carries
   * from earlier slots, so that a block never holds more than that many transactions of the
   * leader's own: a slot whose block could not be committed in time does not hand the next one its
   * transactions on top of a full slot, which would take longer to seal again.
   */
  public synchronized void reserve(long slot, int places) {
    if (places < 0) {
      throw new IllegalArgumentException("places must not be negative");
    }
    SlotBook book = slots.computeIfAbsent(slot, s -> new SlotBook());
    book.reserved += places;
  }

  /**
   * Seals the slot: no preconfirmation is made for it afterwards. Returns its transactions in the
   * order they were accepted, the order the block must hold them in.
   */
  public synchronized List<Pending> seal(long slot) {
    SlotBook book = slots.computeIfAbsent(slot, s -> new SlotBook());
    book.sealed = true;
    boolean interrupted = false;
    while (book.inFlight > 0) {
      // a request that reserved its place before the seal is settled first (admitted and signed,
      // or refused), so the list returned holds every preconfirmation made for the slot
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return new ArrayList<>(book.order);
  }

  /** The transactions accepted for the slot so far, in order. */
  public synchronized List<Pending> accepted(long slot) {
    return acceptedSince(slot, 0, Integer.MAX_VALUE);
  }

  /**
   * The transactions accepted for the slot from position {@code from} of its acceptance order on
   * (at most {@code max}): what was accepted since a caller last took the first {@code from}.
   */
  public synchronized List<Pending> acceptedSince(long slot, int from, int max) {
    SlotBook book = slots.get(slot);
    if (book == null || from >= book.order.size()) {
      return List.of();
    }
    return new ArrayList<>(book.order.subList(from, Math.min(book.order.size(), from + max)));
  }

  /** Forgets every slot before {@code slot}. */
  public synchronized void prune(long slot) {
    slots.keySet().removeIf(s -> s < slot);
  }

  /** Which library recovers transaction senders in this process (native or Java). */
  public static String senderRecovery() {
    return SenderRecovery.implementation();
  }

  /**
   * The transaction decoded and checked as the leader checks it before admission (signed, for chain
   * {@code chainId}, sender recoverable, an accepted type), or empty when it is not one a leader
   * could preconfirm.
   */
  public static java.util.Optional<Tx> decode(byte[] rawTx, long chainId) {
    try {
      return java.util.Optional.of(
          checkTransaction(rawTx, org.web3j.crypto.Hash.sha3(rawTx), chainId));
    } catch (Rejection e) {
      return java.util.Optional.empty();
    }
  }

  /** Decodes and checks the transaction. */
  private static Tx checkTransaction(byte[] rawTx, byte[] txHash, long l2ChainId) throws Rejection {
    RawTransaction decoded;
    try {
      decoded = TransactionDecoder.decode(Numeric.toHexString(rawTx));
    } catch (RuntimeException e) {
      throw new Rejection(Reason.MALFORMED, "not a transaction: " + firstLine(e));
    }
    if (!(decoded instanceof SignedRawTransaction signed)) {
      throw new Rejection(Reason.MALFORMED, "not a signed transaction");
    }
    Long chainId = chainIdOf(signed);
    if (chainId == null) {
      throw new Rejection(Reason.WRONG_CHAIN, "no chain id (not replay-protected)");
    }
    if (chainId != l2ChainId) {
      throw new Rejection(
          Reason.WRONG_CHAIN, "signed for chain " + chainId + ", this is chain " + l2ChainId);
    }
    String from;
    try {
      from = SenderRecovery.sender(signed);
    } catch (SignatureException | RuntimeException e) {
      throw new Rejection(Reason.BAD_SIGNATURE, "no sender can be recovered: " + firstLine(e));
    }
    ITransaction t = signed.getTransaction();
    org.web3j.crypto.transaction.type.TransactionType type = t.getType();
    if (type != org.web3j.crypto.transaction.type.TransactionType.LEGACY
        && type != org.web3j.crypto.transaction.type.TransactionType.EIP2930
        && type != org.web3j.crypto.transaction.type.TransactionType.EIP1559) {
      throw new Rejection(Reason.MALFORMED, "transaction type " + type + " is not accepted");
    }
    if (t instanceof Transaction2930 withList
        && withList.getAccessList() != null
        && !withList.getAccessList().isEmpty()) {
      // their intrinsic gas is not checked by the leader's admission: refused rather than guessed
      throw new Rejection(Reason.MALFORMED, "access lists are not accepted");
    }
    java.math.BigInteger maxFee =
        t instanceof Transaction1559 t1559 ? t1559.getMaxFeePerGas() : t.getGasPrice();
    String to = t.getTo();
    boolean create = to == null || to.isEmpty() || to.equals("0x");
    byte[] data;
    try {
      data = Numeric.hexStringToByteArray(t.getData() == null ? "" : t.getData());
    } catch (RuntimeException e) {
      throw new Rejection(Reason.MALFORMED, "unreadable data: " + firstLine(e));
    }
    if (t.getNonce() == null || t.getGasLimit() == null || maxFee == null || t.getValue() == null) {
      throw new Rejection(Reason.MALFORMED, "a field is missing");
    }
    return new Tx(
        txHash,
        from.toLowerCase(java.util.Locale.ROOT),
        t.getNonce(),
        t.getGasLimit(),
        maxFee,
        t.getValue(),
        create,
        data);
  }

  private static Long chainIdOf(SignedRawTransaction signed) {
    ITransaction t = signed.getTransaction();
    if (t instanceof Transaction1559 t1559) {
      return t1559.getChainId();
    }
    if (t instanceof Transaction2930 t2930) {
      return t2930.getChainId();
    }
    return signed.getChainId();
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Refused refused;

    Rejection(Reason reason, String detail) {
      super(detail, null, false, false);
      this.refused = new Refused(reason, detail);
    }
  }
}
