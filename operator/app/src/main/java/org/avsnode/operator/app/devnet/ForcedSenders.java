package org.avsnode.operator.app.devnet;

import java.util.List;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;

/**
 * The L2 accounts that send the devnet's forced transactions: anvil's own development accounts
 * after the first {@value #FIRST}, funded in the L2 node's genesis block. A sequencer that drops L2
 * blocks never committed on L1 ({@code anvil_rollback}) takes with them every balance set after
 * their parent, so a sender funded by {@code anvil_setBalance} when its transaction was queued
 * could have nothing left when the item came due, and the item was refused for its funds (seen in
 * chaos runs). A genesis balance is never rolled back. Each account sends one transaction (nonce
 * 0).
 */
final class ForcedSenders {
  /** The development accounts before this index are the devnet's other L2 accounts. */
  static final int FIRST = 10;

  /** How many senders: one forced transaction every 20 s for about 85 minutes. */
  static final int POOL = 256;

  /** anvil's default mnemonic; its accounts are {@code m/44'/60'/0'/0/i}. */
  private static final String MNEMONIC =
      "test test test test test test test test test test test junk";

  private final Bip32ECKeyPair parent;
  private int next = FIRST;

  private ForcedSenders(Bip32ECKeyPair parent) {
    this.parent = parent;
  }

  /**
   * The senders of an L2 node whose development accounts are {@code accounts} ({@code
   * eth_accounts}); checked against it: a node with other accounts (another mnemonic, too few) is
   * refused rather than given transactions nobody can pay for.
   */
  static ForcedSenders of(List<String> accounts) {
    ForcedSenders senders = unchecked();
    for (int i : new int[] {FIRST, FIRST + POOL - 1}) {
      String derived = senders.at(i).getAddress();
      if (accounts.size() <= i || !accounts.get(i).equalsIgnoreCase(derived)) {
        throw new IllegalStateException(
            "the L2 node's development account "
                + i
                + " is not "
                + derived
                + " (anvil's default mnemonic): "
                + (accounts.size() <= i
                    ? "it has " + accounts.size() + " accounts"
                    : accounts.get(i)));
      }
    }
    return senders;
  }

  /** The senders, not checked against a node. */
  static ForcedSenders unchecked() {
    int h = Bip32ECKeyPair.HARDENED_BIT;
    return new ForcedSenders(
        Bip32ECKeyPair.deriveKeyPair(
            Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(MNEMONIC, "")),
            new int[] {44 | h, 60 | h, h, 0}));
  }

  /** Development account {@code index} of anvil's default mnemonic. */
  Credentials at(int index) {
    return Credentials.create(Bip32ECKeyPair.deriveKeyPair(parent, new int[] {index}));
  }

  /** The next unused sender; null once all {@value #POOL} have sent. */
  synchronized Credentials next() {
    if (next >= FIRST + POOL) {
      return null;
    }
    return at(next++);
  }
}
