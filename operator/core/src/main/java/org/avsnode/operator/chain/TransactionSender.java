package org.avsnode.operator.chain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.avsnode.operator.metrics.NodeMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * Sends EIP-1559 transactions from one ECDSA key: tracks the nonce locally (one lock, so concurrent
 * callers get consecutive nonces), resynchronises it when the node answers "nonce too low", waits
 * for the receipt and resubmits the same nonce with fees raised by at least 12.5% when several
 * blocks pass without one. A nonce gap an L1 reorg leaves (a mined transaction dropped) is closed
 * with the sender's own signed transaction of that nonce, found before the next send or the next
 * bump. The key never leaves the {@link Credentials} object and is never logged.
 */
public final class TransactionSender {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionSender.class);
  private static final BigInteger GAS_MARGIN_PERCENT = BigInteger.valueOf(120);

  private final L1Client l1;
  private final Credentials credentials;
  private final long chainId;
  private final SenderConfig config;
  private final NodeMetrics metrics;
  private final Clock clock;
  private final Object nonceLock = new Object();
  private Long nextNonce;

  /** How many recent signed transactions are kept to fill a nonce gap after an L1 reorg. */
  static final int RECENT_SIGNED = 256;

  /** The latest signed version of each recent nonce (see {@link #refillGap}). */
  private final Map<Long, String> recentSigned =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
          return size() > RECENT_SIGNED;
        }
      };

  /** A submitted transaction: one nonce, one or more fee versions. */
  public static final class Pending {
    private final long nonce;
    private final TxRequest request;
    private final BigInteger gasLimit;
    private final List<String> hashes = new ArrayList<>();
    private BigInteger maxFee;
    private BigInteger priorityFee;
    private long lastSubmitBlock;

    Pending(long nonce, TxRequest request, BigInteger gasLimit) {
      this.nonce = nonce;
      this.request = request;
      this.gasLimit = gasLimit;
    }

    public long nonce() {
      return nonce;
    }

    /** Every hash submitted for this nonce, oldest first. */
    public synchronized List<String> hashes() {
      return Collections.unmodifiableList(new ArrayList<>(hashes));
    }

    public synchronized BigInteger maxFeePerGas() {
      return maxFee;
    }

    public synchronized BigInteger maxPriorityFeePerGas() {
      return priorityFee;
    }
  }

  public TransactionSender(
      L1Client l1,
      Credentials credentials,
      long chainId,
      SenderConfig config,
      NodeMetrics metrics,
      Clock clock) {
    this.l1 = Objects.requireNonNull(l1, "l1");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.chainId = chainId;
    this.config = Objects.requireNonNull(config, "config");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public String address() {
    return credentials.getAddress();
  }

  /** Sends and waits for the receipt, bumping fees as needed. */
  public TxReceipt sendAndWait(TxRequest request) {
    return await(submit(request));
  }

  /**
   * Prices, signs and broadcasts a transaction with the next nonce.
   *
   * @throws L1RpcErrorException when the node rejects it (e.g. the gas estimate reverts)
   */
  public Pending submit(TxRequest request) {
    BigInteger gasLimit =
        request.gasLimit() != null
            ? request.gasLimit()
            : l1.estimateGas(address(), request.to(), request.value(), request.data())
                .multiply(GAS_MARGIN_PERCENT)
                .divide(BigInteger.valueOf(100));
    BlockHeader head = l1.latest();
    BigInteger priority = priorityFee();
    BigInteger baseFee = head.baseFeePerGas() == null ? BigInteger.ZERO : head.baseFeePerGas();
    BigInteger maxFee = cap(baseFee.multiply(BigInteger.TWO).add(priority));
    if (priority.compareTo(maxFee) > 0) {
      priority = maxFee;
    }
    synchronized (nonceLock) {
      boolean resynced = false;
      boolean gapChecked = false;
      while (true) {
        if (nextNonce == null) {
          nextNonce = l1.pendingNonce(address()).longValueExact();
          resynced = true;
        } else if (!gapChecked) {
          gapChecked = true;
          fillGapBelow(nextNonce);
        }
        Pending p = new Pending(nextNonce, request, gasLimit);
        try {
          broadcast(p, maxFee, priority, head.number());
          nextNonce = nextNonce + 1;
          metrics.transaction("sent");
          return p;
        } catch (L1RpcErrorException e) {
          if (e.isNonceTooLow() && !resynced) {
            LOG.info("nonce {} already used on L1; resynchronising the nonce", p.nonce);
            nextNonce = null;
            continue;
          }
          throw e;
        } catch (L1Exception e) {
          // the transaction may or may not have reached the node: ask it next time
          nextNonce = null;
          throw e;
        }
      }
    }
  }

  /**
   * Waits for a receipt of any version of the transaction, resubmitting with higher fees every
   * {@code bumpAfterBlocks} blocks.
   *
   * @throws L1Exception of kind {@link L1Exception.Kind#TX_TIMEOUT} when none arrives in time
   */
  public TxReceipt await(Pending p) {
    Instant deadline = clock.instant().plus(config.receiptTimeout());
    while (true) {
      for (String h : p.hashes()) {
        Optional<TxReceipt> r = receiptQuietly(h);
        if (r.isPresent()) {
          metrics.transaction(r.get().success() ? "mined" : "reverted");
          return r.get();
        }
      }
      if (!clock.instant().isBefore(deadline)) {
        metrics.transaction("timeout");
        throw new L1Exception(
            L1Exception.Kind.TX_TIMEOUT,
            "eth_getTransactionReceipt",
            "no receipt for nonce "
                + p.nonce
                + " after "
                + config.receiptTimeout().toSeconds()
                + "s (submitted as "
                + p.hashes()
                + ")");
      }
      long block;
      try {
        block = l1.blockNumber();
      } catch (L1Exception e) {
        block = -1;
        LOG.warn("cannot read the L1 block number while waiting: {}", e.getMessage());
      }
      if (block >= 0 && block - p.lastSubmitBlock >= config.bumpAfterBlocks()) {
        refillGap(p);
        bump(p, block);
      }
      sleep(config.pollInterval());
    }
  }

  /**
   * An L1 reorg can drop a transaction whose receipt was already seen; unlike a geth pool, anvil
   * does not take it back, and every later nonce of this sender then waits behind the gap for ever.
   * Before bumping, the sender asks how many of its transactions are mined and broadcasts again its
   * own signed transaction of each missing nonce below {@code p} (the same bytes: nothing new is
   * signed).
   */
  private void refillGap(Pending p) {
    long mined;
    try {
      mined = l1.minedNonce(address()).longValueExact();
    } catch (L1Exception | ArithmeticException e) {
      return;
    }
    rebroadcast(mined, p.nonce);
  }

  /**
   * Before a new transaction is sent with nonce {@code next}: when the node's pending nonce (mined
   * and pooled) is lower, transactions this sender already sent are gone from both (an L1 reorg),
   * and the new one would wait behind the gap until a fee bump finds it. They are broadcast again
   * first, so the gap closes with the next block. One {@code eth_getTransactionCount} per send.
   */
  private void fillGapBelow(long next) {
    long pending;
    try {
      pending = l1.pendingNonce(address()).longValueExact();
    } catch (L1Exception | ArithmeticException e) {
      return; // the send below meets the same trouble and reports it
    }
    if (pending < next) {
      rebroadcast(pending, next);
    }
  }

  /** Broadcasts again this sender's own signed transactions of nonces {@code [from, below)}. */
  private void rebroadcast(long from, long below) {
    for (long n = from; n < below; n++) {
      String raw;
      synchronized (recentSigned) {
        raw = recentSigned.get(n);
      }
      if (raw == null) {
        LOG.warn(
            "nonce {} is not mined and this sender no longer holds it; nonce {} waits", n, below);
        return;
      }
      try {
        l1.sendRawTransaction(raw);
        metrics.transaction("rebroadcast");
        LOG.info("nonce {} is missing on L1 (an L1 reorg?): broadcast its transaction again", n);
      } catch (L1Exception e) {
        // already known, or mined meanwhile: either way the gap closes
        LOG.debug("rebroadcast of nonce {}: {}", n, e.getMessage());
      }
    }
  }

  private void bump(Pending p, long block) {
    BigInteger priority;
    BigInteger maxFee;
    synchronized (p) {
      priority = raise(p.priorityFee);
      maxFee = raise(p.maxFee);
    }
    BlockHeader head;
    try {
      head = l1.latest();
      if (head.baseFeePerGas() != null) {
        maxFee = maxFee.max(head.baseFeePerGas().multiply(BigInteger.TWO).add(priority));
      }
    } catch (L1Exception e) {
      LOG.debug("no base fee for the bump: {}", e.getMessage());
    }
    if (config.maxFeeCap() != null && maxFee.compareTo(config.maxFeeCap()) > 0) {
      if (p.maxFee.compareTo(config.maxFeeCap()) >= 0) {
        LOG.warn("transaction nonce {} is at the fee cap and still not mined", p.nonce);
        synchronized (p) {
          p.lastSubmitBlock = block;
        }
        return;
      }
      maxFee = config.maxFeeCap();
      priority = priority.min(maxFee);
    }
    try {
      broadcast(p, maxFee, priority, block);
      metrics.transaction("replaced");
      LOG.info(
          "resubmitted nonce {} with max fee {} / tip {} wei after {} blocks without a receipt",
          p.nonce,
          maxFee,
          priority,
          config.bumpAfterBlocks());
    } catch (L1RpcErrorException e) {
      // nonce too low: a version was mined (its receipt shows up next poll) or another sender
      // took the nonce (the wait times out with the hashes named); underpriced: bump again later
      LOG.info("resubmission of nonce {} refused: {}", p.nonce, e.rpcMessage());
      synchronized (p) {
        p.lastSubmitBlock = block;
        p.maxFee = maxFee;
        p.priorityFee = priority;
      }
    } catch (L1Exception e) {
      LOG.warn("resubmission of nonce {} failed: {}", p.nonce, e.getMessage());
    }
  }

  private void broadcast(Pending p, BigInteger maxFee, BigInteger priority, long block) {
    RawTransaction raw =
        RawTransaction.createTransaction(
            chainId,
            BigInteger.valueOf(p.nonce),
            p.gasLimit,
            p.request.to(),
            p.request.value(),
            p.request.data(),
            priority,
            maxFee);
    byte[] signed = TransactionEncoder.signMessage(raw, credentials);
    String hex = Numeric.toHexString(signed);
    String hash = Hash.sha3(hex);
    synchronized (recentSigned) {
      recentSigned.put(p.nonce, hex);
    }
    try {
      l1.sendRawTransaction(hex);
    } catch (L1RpcErrorException e) {
      if (!e.isAlreadyKnown()) {
        throw e;
      }
    }
    synchronized (p) {
      p.hashes.add(hash);
      p.maxFee = maxFee;
      p.priorityFee = priority;
      p.lastSubmitBlock = block;
    }
  }

  private BigInteger priorityFee() {
    try {
      return l1.maxPriorityFeePerGas();
    } catch (L1RpcErrorException e) {
      return config.fallbackPriorityFee();
    }
  }

  private BigInteger raise(BigInteger fee) {
    BigInteger raised =
        new BigDecimal(fee)
            .multiply(BigDecimal.valueOf(100 + config.bumpPercent()))
            .divide(BigDecimal.valueOf(100), 0, RoundingMode.CEILING)
            .toBigIntegerExact();
    return raised.max(fee.add(BigInteger.ONE));
  }

  private BigInteger cap(BigInteger maxFee) {
    return config.maxFeeCap() == null ? maxFee : maxFee.min(config.maxFeeCap());
  }

  private Optional<TxReceipt> receiptQuietly(String hash) {
    try {
      return l1.receipt(hash);
    } catch (L1Exception e) {
      if (e.kind() == L1Exception.Kind.UNAVAILABLE) {
        LOG.warn("cannot read the receipt of {}: {}", hash, e.getMessage());
        return Optional.empty();
      }
      throw e;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new L1Exception(L1Exception.Kind.TX_TIMEOUT, "", "interrupted while waiting", e);
    }
  }
}
