package org.avsnode.squad.schedule;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.avsnode.contracts.bindings.SlotSchedule;
import org.web3j.protocol.Web3j;
import org.web3j.tuples.generated.Tuple2;
import org.web3j.tuples.generated.Tuple5;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * Reads the L1 {@code SlotSchedule} contract: its fixed parameters and, per schedule epoch, the
 * seed and weights from which {@link LeaderSchedule} computes every slot's leader and backups
 * locally.
 */
public final class SlotScheduleContract {
  /** The contract's immutable parameters. */
  public record Parameters(long genesisTime, long slotSeconds, long slotsPerEpoch, int backups) {
    public long epochOf(long slot) {
      return slot / slotsPerEpoch;
    }
  }

  /** One fixed schedule epoch. */
  public record Epoch(
      long epoch, byte[] seed, long stakeEpoch, boolean random, LeaderSchedule schedule) {}

  private final SlotSchedule contract;

  private SlotScheduleContract(SlotSchedule contract) {
    this.contract = contract;
  }

  public static SlotScheduleContract load(Web3j web3j, String address) {
    Objects.requireNonNull(address, "address");
    return new SlotScheduleContract(
        SlotSchedule.load(
            address,
            web3j,
            new ReadonlyTransactionManager(web3j, "0x0000000000000000000000000000000000000000"),
            new DefaultGasProvider()));
  }

  public String address() {
    return contract.getContractAddress();
  }

  public Parameters parameters() throws IOException {
    return new Parameters(
        call(contract.genesisTime()).longValueExact(),
        call(contract.slotSeconds()).longValueExact(),
        call(contract.slotsPerEpoch()).longValueExact(),
        call(contract.backups()).intValueExact());
  }

  /** The next schedule epoch {@code fixNextEpoch} would fix. */
  public long nextEpoch() throws IOException {
    return call(contract.nextEpoch()).longValueExact();
  }

  /** The schedule of epoch {@code epoch}, or empty while it is not fixed. */
  public Optional<Epoch> epoch(long epoch, int backups) throws IOException {
    BigInteger e = BigInteger.valueOf(epoch);
    Tuple5<Boolean, byte[], BigInteger, Boolean, String> s = call(contract.epochSchedule(e));
    if (!s.component1()) {
      return Optional.empty();
    }
    Tuple2<List<BigInteger>, BigInteger> w = call(contract.weightsOf(e));
    return Optional.of(
        new Epoch(
            epoch,
            s.component2(),
            s.component3().longValueExact(),
            s.component4(),
            new LeaderSchedule(s.component2(), w.component1(), backups)));
  }

  private static <T> T call(org.web3j.protocol.core.RemoteCall<T> c) throws IOException {
    return call("SlotSchedule", c);
  }

  /**
   * Sends a contract read; every failure (a revert included) is an {@link IOException} whose
   * message starts with {@code what}.
   */
  public static <T> T call(String what, org.web3j.protocol.core.RemoteCall<T> c)
      throws IOException {
    try {
      return c.send();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(what + ": " + e.getMessage(), e);
    }
  }
}
