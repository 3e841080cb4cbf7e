package org.avsnode.operator.slashing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.bls.eip712.TypedMessage;

/**
 * The only way to get a BLS signature on a duty message. It holds the secret key privately, takes a
 * typed message, recomputes the EIP-712 digest from the message's fields and the domain itself (it
 * never signs a digest handed to it), asks the slashing-protection database, and signs only if the
 * database allowed and recorded the message.
 *
 * <p>Give this class the secret key and drop every other reference to it. The key never appears in
 * logs or {@link #toString()}.
 */
public final class ProtectedSigner {
  private final BlsSecretKey secretKey;
  private final BlsPublicKey publicKey;
  private final byte[] publicKeyBytes;
  private final SlashingProtection protection;
  private final Eip712Domain domain;
  private final SigningListener listener;

  /** The most intents one database transaction records (group commit). */
  static final int MAX_BATCH = 256;

  private final Object batchLock = new Object();
  private final List<Queued> queue = new ArrayList<>(); // guarded by batchLock
  private boolean writing; // guarded by batchLock

  /**
   * @throws SlashingProtectionException if the database belongs to another EIP-712 domain
   */
  public ProtectedSigner(
      BlsSecretKey secretKey,
      SlashingProtection protection,
      Eip712Domain domain,
      SigningListener listener) {
    this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
    this.protection = Objects.requireNonNull(protection, "protection");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.listener = listener == null ? SigningListener.NONE : listener;
    this.publicKey = secretKey.publicKey();
    this.publicKeyBytes = publicKey.toBytes();
    if (!protection.domain().sameAs(SlashingDomain.ofSeparator(domain.separator()))) {
      throw new SlashingProtectionException(
          "the slashing-protection database belongs to "
              + protection.domain()
              + ", not to the signing domain with chain id "
              + domain.chainId());
    }
  }

  /** The slashing domain of an EIP-712 domain. */
  public static SlashingDomain slashingDomain(Eip712Domain domain) {
    return SlashingDomain.of(domain.chainId(), domain.verifyingContract());
  }

  public BlsPublicKey publicKey() {
    return publicKey;
  }

  public Eip712Domain domain() {
    return domain;
  }

  /** MACH: sign a finality attestation unless another content was signed at its height. */
  public SigningResult sign(FinalityAttestation m) {
    return sign(
        MessageKind.FINALITY_ATTESTATION,
        m,
        d -> new SigningIntent.Finality(m.rollupId(), m.l2BlockNumber(), d));
  }

  /** VITAL: sign a verdict unless the opposite verdict was signed for the same output. */
  public SigningResult sign(OutputVerdict m) {
    return sign(
        MessageKind.OUTPUT_VERDICT,
        m,
        d ->
            new SigningIntent.Verdict(m.rollupId(), m.outputIndex(), m.outputRoot(), m.valid(), d));
  }

  /**
   * SQUAD leader: sign a slot proposal unless another was signed for the slot or the block omits a
   * transaction this key preconfirmed for the slot.
   *
   * @param txHashes the hashes of every transaction in the proposed block (the caller must have
   *     computed {@code m.txListHash()} from this same list)
   */
  public SigningResult sign(SlotProposal m, List<byte[]> txHashes) {
    return sign(
        MessageKind.SLOT_PROPOSAL,
        m,
        d -> new SigningIntent.Proposal(m.rollupId(), m.slot(), d, txHashes));
  }

  /**
   * SQUAD: whether this key may have signed a proposal for {@code slot} of {@code rollupId} (one is
   * recorded, or the slot's history was pruned). A node restarted mid-slot asks this before it
   * treats a block above the last committed one as someone else's. Read only.
   */
  public boolean mayHaveProposed(long rollupId, long slot) {
    return protection.mayHaveSigned(
        publicKeyBytes, MessageKind.SLOT_PROPOSAL, rollupId, BigInteger.valueOf(slot));
  }

  /** SQUAD follower: sign a slot attestation unless another block was attested for the slot. */
  public SigningResult sign(SlotAttestation m) {
    return sign(
        MessageKind.SLOT_ATTESTATION,
        m,
        d -> new SigningIntent.SlotAttestation(m.rollupId(), m.slot(), m.blockHash(), d));
  }

  /**
   * SQUAD leader: sign a preconfirmation unless the slot's proposal was already signed without the
   * transaction.
   */
  public SigningResult sign(Preconfirmation m) {
    return sign(
        MessageKind.PRECONFIRMATION,
        m,
        d -> new SigningIntent.Preconf(m.rollupId(), m.slot(), m.txHash(), d));
  }

  private interface IntentFactory {
    SigningIntent create(byte[] digest);
  }

  private SigningResult sign(MessageKind kind, TypedMessage m, IntentFactory f) {
    if (m == null) {
      return refuse(kind, null, RefusalReason.INVALID_REQUEST, "message is null");
    }
    byte[] digest;
    SigningIntent intent;
    try {
      digest = m.digest(domain);
      intent = f.create(digest);
    } catch (RuntimeException e) {
      return refuse(kind, null, RefusalReason.INVALID_REQUEST, String.valueOf(e.getMessage()));
    }
    Decision decision = decide(intent);
    if (!decision.isAllowed()) {
      return refuse(kind, digest, decision.reason(), decision.detail());
    }
    BlsSignature sig = secretKey.sign(digest);
    boolean repeat = decision == Decision.allowedRepeat();
    notifySigned(kind, repeat);
    return SigningResult.signed(sig, digest, repeat);
  }

  /**
   * Group commit: a caller whose intent finds another caller's batch at the database queues it and
   * waits; when that batch is done, one waiting caller takes every queued intent to the database in
   * one transaction ({@link SlashingProtection#checkAndRecordAll}). Decisions are the ones the
   * intents would get one at a time in queue order, each is durable before any of them is signed,
   * and a lone caller goes straight through as a batch of one.
   */
  private Decision decide(SigningIntent intent) {
    Queued mine = new Queued(intent);
    synchronized (batchLock) {
      queue.add(mine);
    }
    while (true) {
      List<Queued> batch;
      synchronized (batchLock) {
        boolean interrupted = false;
        while (mine.decision == null && writing) {
          try {
            batchLock.wait();
          } catch (InterruptedException e) {
            // the intent is queued and may be recorded by another caller: wait for its answer
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        if (mine.decision != null) {
          return mine.decision;
        }
        writing = true;
        int n = Math.min(queue.size(), MAX_BATCH);
        batch = new ArrayList<>(queue.subList(0, n));
        queue.subList(0, n).clear();
      }
      // this caller's intent may be beyond the first MAX_BATCH: then it goes round again
      writeBatch(batch);
    }
  }

  /** Records one batch and hands every member its decision (never leaves one without). */
  private void writeBatch(List<Queued> batch) {
    Decision[] answers = new Decision[batch.size()];
    try {
      List<SigningIntent> intents = new ArrayList<>(batch.size());
      for (Queued q : batch) {
        intents.add(q.intent);
      }
      List<Decision> got = protection.checkAndRecordAll(publicKeyBytes, intents);
      if (got.size() != answers.length) {
        throw new SlashingProtectionException(
            "the database answered " + got.size() + " of " + answers.length + " intents");
      }
      got.toArray(answers);
    } catch (InvalidSigningRequestException e) {
      Arrays.fill(answers, Decision.refused(RefusalReason.INVALID_REQUEST, e.getMessage()));
    } catch (SlashingProtectionException e) {
      Arrays.fill(
          answers,
          Decision.refused(RefusalReason.PROTECTION_UNAVAILABLE, String.valueOf(e.getMessage())));
    } catch (RuntimeException e) {
      // a bug in the database layer: nothing is signed, and no caller waits forever
      Arrays.fill(
          answers,
          Decision.refused(
              RefusalReason.PROTECTION_UNAVAILABLE, "slashing protection failed: " + e));
    } finally {
      synchronized (batchLock) {
        for (int i = 0; i < answers.length; i++) {
          batch.get(i).decision =
              answers[i] != null
                  ? answers[i]
                  : Decision.refused(RefusalReason.PROTECTION_UNAVAILABLE, "no answer");
        }
        writing = false;
        batchLock.notifyAll();
      }
    }
  }

  private static final class Queued {
    final SigningIntent intent;
    Decision decision; // guarded by batchLock

    Queued(SigningIntent intent) {
      this.intent = intent;
    }
  }

  private SigningResult refuse(
      MessageKind kind, byte[] digest, RefusalReason reason, String detail) {
    try {
      listener.onRefused(kind, reason);
    } catch (RuntimeException ignored) {
      // a broken metrics callback must not change the signing outcome
    }
    return SigningResult.refused(digest, reason, detail);
  }

  private void notifySigned(MessageKind kind, boolean repeat) {
    try {
      listener.onSigned(kind, repeat);
    } catch (RuntimeException ignored) {
      // as above
    }
  }

  @Override
  public String toString() {
    return "ProtectedSigner[publicKey=" + publicKey.toHex() + "]";
  }
}
