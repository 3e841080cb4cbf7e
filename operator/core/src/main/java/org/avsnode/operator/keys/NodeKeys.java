package org.avsnode.operator.keys;

import java.time.Clock;
import java.util.Objects;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.SenderConfig;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.SigningListener;
import org.avsnode.operator.slashing.SlashingProtection;
import org.web3j.crypto.Credentials;

/**
 * The operator's keys, decrypted once when the node starts: the BLS key that signs duty messages
 * and the ECDSA key that names the operator and pays for its L1 transactions. Neither leaves this
 * object except into the {@link ProtectedSigner} (BLS, behind slashing protection) and the node's
 * {@link TransactionSender} (ECDSA, one nonce sequence for every duty). Duties never see this type.
 */
public final class NodeKeys {
  private final BlsSecretKey bls;
  private final BlsPublicKey blsPublic;
  private final Credentials ecdsa;

  private NodeKeys(BlsSecretKey bls, Credentials ecdsa) {
    this.bls = Objects.requireNonNull(bls, "bls");
    this.ecdsa = Objects.requireNonNull(ecdsa, "ecdsa");
    this.blsPublic = bls.publicKey();
  }

  /**
   * Loads both keys with the strict loaders. Keystores and password files must be readable by their
   * owner only.
   *
   * @throws KeyFileException (one line) for a file that is missing, too open, malformed, too costly
   *     to decrypt, or a wrong password
   */
  public static NodeKeys load(KeystoreRef bls, KeystoreRef ecdsa) {
    for (KeystoreRef r : new KeystoreRef[] {bls, ecdsa}) {
      SecretFiles.requireOwnerOnly(r.keystoreFile(), "keystore");
      SecretFiles.requireOwnerOnly(r.passwordFile(), "password file");
    }
    BlsSecretKey blsKey = StrictKeystores.bls(bls.keystoreFile(), bls.passwordFile());
    Credentials credentials =
        Credentials.create(StrictKeystores.ecdsa(ecdsa.keystoreFile(), ecdsa.passwordFile()));
    return new NodeKeys(blsKey, credentials);
  }

  public BlsPublicKey blsPublicKey() {
    return blsPublic;
  }

  /** The operator's address (the ECDSA key's), 0x-prefixed lower case. */
  public String address() {
    return ecdsa.getAddress();
  }

  /** The node's only BLS signer: every signature goes through {@code protection}. */
  public ProtectedSigner signer(
      SlashingProtection protection, Eip712Domain domain, SigningListener listener) {
    return new ProtectedSigner(bls, protection, domain, listener);
  }

  /** The node's only L1 transaction sender for this key (one nonce sequence). */
  public TransactionSender transactionSender(
      L1Client l1, long chainId, SenderConfig config, NodeMetrics metrics, Clock clock) {
    return new TransactionSender(l1, ecdsa, chainId, config, metrics, clock);
  }

  @Override
  public String toString() {
    return "NodeKeys[bls=" + blsPublic.toHex() + ", address=" + address() + "]";
  }
}
