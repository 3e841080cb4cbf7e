package org.avsnode.operator.app.devnet;

import java.nio.file.Path;
import java.util.Objects;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.mach.MachDuty;
import org.avsnode.operator.keys.OperatorKeyFiles;
import org.avsnode.operator.node.NodeRuntime;
import org.web3j.crypto.Credentials;

/**
 * One devnet operator: its keys (kept by the devnet for registration and written as keystores the
 * node loads), its data directory and, once started, its own node runtime built by the same
 * component as {@code operator run} (HTTP port, L1 client, MACH duty, embedded slashing-protection
 * database).
 */
final class DevnetOperator {
  final int index;
  final Credentials ecdsa;
  final Credentials staker;
  private final BlsSecretKey bls;
  final Path dataDir;
  final OperatorKeyFiles keys;
  volatile NodeRuntime runtime;
  volatile Process process;
  volatile MachDuty duty;
  volatile boolean aggregator;
  volatile int port;

  /** Reads its L2 through a node that lies about state ({@code --lying-l2}). */
  volatile boolean lying;

  DevnetOperator(
      int index,
      Credentials ecdsa,
      Credentials staker,
      BlsSecretKey bls,
      Path dataDir,
      OperatorKeyFiles keys) {
    this.index = index;
    this.ecdsa = Objects.requireNonNull(ecdsa);
    this.staker = Objects.requireNonNull(staker);
    this.bls = Objects.requireNonNull(bls);
    this.dataDir = Objects.requireNonNull(dataDir);
    this.keys = Objects.requireNonNull(keys);
  }

  String address() {
    return ecdsa.getAddress();
  }

  String name() {
    return "op" + index;
  }

  /**
   * The secret key. Only the devnet's setup (proof of possession, the protected signer) and its
   * deliberately faulty equivocator take it; it is never logged.
   */
  BlsSecretKey secretKey() {
    return bls;
  }

  boolean running() {
    return runtime != null || (process != null && process.isAlive());
  }

  /** The node's API base URL (either kind of operator). */
  String apiUrl() {
    NodeRuntime r = runtime;
    return r != null ? r.apiUrl() : "http://127.0.0.1:" + port;
  }

  /** SIGKILL of an operator process: no shutdown hook runs, its slashing protection must hold. */
  synchronized void kill() {
    Process p = process;
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  synchronized void stop() {
    NodeRuntime r = runtime;
    runtime = null;
    duty = null;
    if (r != null) {
      r.close();
    }
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroy(); // SIGTERM: the node stops its duties and closes its database
      try {
        if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
      }
    }
  }
}
