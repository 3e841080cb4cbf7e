package org.avsnode.operator.spi;

import java.util.List;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.operator.slashing.SigningResult;

/**
 * The node's BLS signer as a duty sees it: typed EIP-712 messages in, signatures out, every one
 * checked and recorded by the node's slashing-protection database first. The signer recomputes the
 * digest from the message's fields; there is no way to sign raw bytes. A refusal is a {@link
 * SigningResult} with its reason, never an exception.
 */
public interface DutySigner {

  /** The operator's BLS public key. */
  BlsPublicKey publicKey();

  /** The EIP-712 domain every message is signed in. */
  Eip712Domain domain();

  /** MACH: refused when another content was signed at the same height. */
  SigningResult sign(FinalityAttestation message);

  /** VITAL: refused when the opposite verdict was signed for the same output. */
  SigningResult sign(OutputVerdict message);

  /**
   * SQUAD leader: refused when another proposal was signed for the slot, or when the block leaves
   * out a transaction this key preconfirmed for the slot.
   *
   * @param txHashes every transaction hash of the proposed block, the list {@code txListHash} was
   *     computed from
   */
  SigningResult sign(SlotProposal message, List<byte[]> txHashes);

  /**
   * SQUAD: whether this key may have signed a proposal for the slot, in this process or an earlier
   * one (a proposal is recorded for it, or its history was pruned). Read only; signs nothing.
   */
  boolean mayHaveProposed(long rollupId, long slot);

  /** SQUAD follower: refused when another block was attested for the slot. */
  SigningResult sign(SlotAttestation message);

  /** SQUAD leader: refused when the slot's proposal was already signed without the transaction. */
  SigningResult sign(Preconfirmation message);
}
