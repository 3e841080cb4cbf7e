package org.avsnode.operator.registry;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.web3j.tuples.generated.Tuple4;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * Reads of the AVS registry that every duty needs: epochs, the threshold, and an operator set at an
 * epoch (operators, stakes, BLS keys), over the node's L1 connection. Failures are {@link
 * L1Exception}s; a malformed answer (inconsistent lengths, a key off the curve) is {@code
 * MALFORMED}, never a partial snapshot.
 */
public final class RegistryReader {
  private final L1Client l1;
  private final String registryAddress;
  private final long operatorSetId;
  private final AvsRegistry registry;

  public RegistryReader(L1Client l1, String registryAddress, long operatorSetId) {
    this.l1 = Objects.requireNonNull(l1, "l1");
    this.registryAddress = Objects.requireNonNull(registryAddress, "registryAddress");
    this.operatorSetId = operatorSetId;
    this.registry =
        AvsRegistry.load(
            registryAddress,
            l1.web3j(),
            new ReadonlyTransactionManager(l1.web3j(), registryAddress),
            new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
  }

  /** The bindings, for the registry's other views (e.g. {@code verifyCertificate}). */
  public AvsRegistry bindings() {
    return registry;
  }

  public L1Client l1() {
    return l1;
  }

  public String registryAddress() {
    return registryAddress;
  }

  public byte[] registryBytes() {
    return address(registryAddress);
  }

  public long operatorSetId() {
    return operatorSetId;
  }

  public long epochLength() {
    return read("epochLength", () -> registry.epochLength().send()).longValueExact();
  }

  public long maxEpochAge() {
    return read("maxEpochAge", () -> registry.maxEpochAge().send()).longValueExact();
  }

  public long currentEpoch() {
    return read("currentEpoch", () -> registry.currentEpoch().send()).longValueExact();
  }

  public int thresholdBps() {
    return read(
            "thresholdBps", () -> registry.thresholdBps(BigInteger.valueOf(operatorSetId)).send())
        .intValueExact();
  }

  /**
   * The operator set at {@code epoch} from {@code operatorSetAt}, in registry index order.
   *
   * @throws L1Exception when it cannot be read or is malformed
   */
  public OperatorSetSnapshot operatorSetAt(long epoch) {
    Tuple4<List<String>, List<BigInteger>, List<Boolean>, byte[]> t =
        read(
            "operatorSetAt",
            () ->
                registry
                    .operatorSetAt(BigInteger.valueOf(operatorSetId), BigInteger.valueOf(epoch))
                    .send());
    return snapshot(
        registryBytes(),
        operatorSetId,
        epoch,
        t.component1(),
        t.component2(),
        t.component3(),
        t.component4());
  }

  /** The registry's stake of {@code operator} at {@code epoch} (zero when not in the set). */
  public BigInteger stakeOf(String operator, long epoch) {
    var t =
        read(
            "operatorSetAt",
            () ->
                registry
                    .operatorSetAt(BigInteger.valueOf(operatorSetId), BigInteger.valueOf(epoch))
                    .send());
    for (int i = 0; i < t.component1().size(); i++) {
      if (t.component1().get(i).equalsIgnoreCase(operator)) {
        return t.component2().get(i);
      }
    }
    return BigInteger.ZERO;
  }

  /** Builds a snapshot from {@code operatorSetAt}'s four return values. */
  public static OperatorSetSnapshot snapshot(
      byte[] avs,
      long setId,
      long epoch,
      List<String> operators,
      List<BigInteger> stakes,
      List<Boolean> active,
      byte[] keys) {
    int n = operators.size();
    if (stakes.size() != n || active.size() != n || keys.length != n * 128L) {
      throw new L1Exception(
          L1Exception.Kind.MALFORMED, "operatorSetAt", "inconsistent operator set lengths");
    }
    if (n == 0) {
      throw new L1Exception(
          L1Exception.Kind.MALFORMED, "operatorSetAt", "the operator set has no operators");
    }
    List<OperatorSetSnapshot.Operator> ops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      BlsPublicKey key;
      try {
        key = BlsPublicKey.fromEip2537(Arrays.copyOfRange(keys, i * 128, (i + 1) * 128));
      } catch (BlsException e) {
        throw new L1Exception(
            L1Exception.Kind.MALFORMED,
            "operatorSetAt",
            "operator " + i + " has an invalid key: " + e.getMessage());
      }
      boolean isActive = Boolean.TRUE.equals(active.get(i));
      ops.add(
          new OperatorSetSnapshot.Operator(
              i,
              address(operators.get(i)),
              key,
              isActive ? stakes.get(i) : BigInteger.ZERO,
              isActive));
    }
    return OperatorSetSnapshot.of(avs, setId, epoch, ops);
  }

  /** 20 bytes of a 0x address. */
  public static byte[] address(String hex) {
    String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    byte[] b = HexFormat.of().parseHex(h);
    if (b.length != 20) {
      throw new IllegalArgumentException("not a 20-byte address: " + hex);
    }
    return b;
  }

  /** A contract read through web3j bindings. */
  @FunctionalInterface
  public interface Read<T> {
    T get() throws Exception;
  }

  /**
   * Runs a binding's read: a transport failure is {@code UNAVAILABLE} (no answer, no verdict), an
   * answer that is an error or a revert is {@code RPC_ERROR}, an empty answer is {@code MALFORMED}.
   */
  public static <T> T read(String what, Read<T> r) {
    try {
      T v = r.get();
      if (v == null) {
        throw new L1Exception(L1Exception.Kind.MALFORMED, what, "empty result");
      }
      return v;
    } catch (L1Exception e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new L1Exception(L1Exception.Kind.UNAVAILABLE, what, "no answer: " + e.getMessage(), e);
    } catch (org.web3j.protocol.exceptions.ClientConnectionException e) {
      throw new L1Exception(L1Exception.Kind.UNAVAILABLE, what, "no answer: " + e.getMessage(), e);
    } catch (org.web3j.tx.exceptions.ContractCallException e) {
      throw new L1Exception(L1Exception.Kind.RPC_ERROR, what, String.valueOf(e.getMessage()));
    } catch (RuntimeException e) {
      // web3j's ABI decoder fails this way on an answer of the wrong length or shape
      throw new L1Exception(
          L1Exception.Kind.MALFORMED,
          what,
          "the answer is not a valid ABI encoding ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")");
    } catch (Exception e) {
      throw new L1Exception(L1Exception.Kind.RPC_ERROR, what, String.valueOf(e.getMessage()));
    }
  }
}
