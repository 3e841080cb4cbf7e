package org.avsnode.operator.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import dagger.BindsInstance;
import dagger.Component;
import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.inject.Singleton;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.contracts.deploy.Deployer;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.mach.MachDuty;
import org.avsnode.mach.MachEvents;
import org.avsnode.mach.MachModule;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.keys.OperatorKeyFiles;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.node.MetricsModule;
import org.avsnode.operator.node.NodeModule;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.slashing.RefusalReason;
import org.avsnode.operator.slashing.SigningResult;
import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutyFactory;
import org.avsnode.operator.spi.DutyObservers;
import org.avsnode.operator.spi.Health;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * One node runs MACH and a second (test) duty built by the same Dagger modules as {@code operator
 * run}: both sign through the node's one key and one slashing-protection database, so the test duty
 * cannot sign another content at a block MACH attested, and can repeat MACH's own.
 */
class SharedSigningIT {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A duty that signs only when the test asks it to. */
  static final class ProbeDuty implements Duty {
    static final AtomicReference<ProbeDuty> LAST = new AtomicReference<>();
    final DutyContext context;

    ProbeDuty(DutyContext context) {
      this.context = context;
      LAST.set(this);
    }

    SigningResult attest(FinalityAttestation m) {
      return context.requireSigner("probe").sign(m);
    }

    @Override
    public String id() {
      return "probe";
    }

    @Override
    public void start() {}

    @Override
    public void stop() {}

    @Override
    public Health health() {
      return Health.up();
    }
  }

  @Module
  static final class ProbeModule {
    private ProbeModule() {}

    @Provides
    @IntoMap
    @StringKey("probe")
    static DutyFactory probe() {
      return new DutyFactory() {
        @Override
        public String id() {
          return "probe";
        }

        @Override
        public String description() {
          return "test duty: signs on request";
        }

        @Override
        public Duty create(DutyContext context) {
          return new ProbeDuty(context);
        }
      };
    }
  }

  /** {@link RunComponent}'s modules plus the probe duty's. */
  @Singleton
  @Component(
      modules = {
        NodeModule.class,
        MetricsModule.class,
        DutyCatalogModule.class,
        MachModule.class,
        ProbeModule.class
      })
  interface WithProbe {
    NodeRuntime runtime();

    @Component.Factory
    interface Factory {
      WithProbe create(
          @BindsInstance NodeSettings settings,
          @BindsInstance LogLevelControl logLevels,
          @BindsInstance DutyObservers observers);
    }
  }

  @Test
  void machAndAnotherDutyShareOneSlashingProtectionDatabase(@TempDir Path dir) throws Exception {
    try (AnvilProcess l1 =
            AnvilProcess.builder()
                .chainId(31337)
                .accounts(1)
                .arg("--block-base-fee-per-gas")
                .arg("0")
                .start();
        AnvilProcess l2 =
            AnvilProcess.builder().chainId(42069).blockTime(Duration.ofSeconds(1)).start()) {
      Deployment deployment;
      Credentials operator = Credentials.create(Keys.createEcKeyPair(RANDOM));
      try (org.avsnode.operator.chain.L1Client client =
          org.avsnode.operator.chain.L1Client.http(
              l1.rpcUrl(),
              Duration.ofSeconds(10),
              org.avsnode.operator.chain.RetryPolicy.DEFAULT,
              new org.avsnode.operator.metrics.NodeMetrics(
                  new org.avsnode.operator.metrics.NoOpMetricsSystem()))) {
        Credentials deployer = Credentials.create(Keys.createEcKeyPair(RANDOM));
        for (Credentials c : List.of(deployer, operator)) {
          client.rawCall("anvil_setBalance", List.of(c.getAddress(), "0x3635c9adc5dea00000"));
        }
        deployment = Deployer.deploy(client.web3j(), deployer, Deployer.Config.devnet());
      }
      Path deploymentFile = dir.resolve("deployment.json");
      DeploymentJson.write(deployment, deploymentFile);
      OperatorKeyFiles keys =
          OperatorKeyFiles.writeLight(
              dir.resolve("keys"),
              BlsSecretKey.random(RANDOM),
              operator.getEcKeyPair(),
              "shared",
              RANDOM);
      NodeSettings settings =
          NodeSettings.builder(dir.resolve("data"))
              .httpPort(0)
              .l1RpcUrl(URI.create(l1.rpcUrl()))
              .deploymentFile(deploymentFile)
              .confirmations(0)
              .l1PollInterval(Duration.ofMillis(250))
              .duties(List.of("mach", "probe"))
              .dutyConfig(
                  "mach",
                  Map.of(
                      "rollups",
                      "42=" + l2.rpcUrl(),
                      "poll-interval",
                      "100ms",
                      "post-attempts",
                      "1"))
              .blsKey(keys.bls().keystoreFile(), keys.bls().passwordFile())
              .ecdsaKey(keys.ecdsa().keystoreFile(), keys.ecdsa().passwordFile())
              .build();
      List<SignedMessage<FinalityAttestation>> machSigned = new CopyOnWriteArrayList<>();
      MachEvents events =
          new MachEvents() {
            @Override
            public void onAttested(SignedMessage<FinalityAttestation> a, L2Block block) {
              machSigned.add(a);
            }
          };
      NodeRuntime runtime =
          DaggerSharedSigningIT_WithProbe.factory()
              .create(
                  settings,
                  LogLevelControl.UNSUPPORTED,
                  DutyObservers.none().with(MachEvents.class, events))
              .runtime();
      try {
        runtime.start();
        assertThat(runtime.duty(MachDuty.ID)).isPresent();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (machSigned.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(machSigned).as("MACH signed an L2 block").isNotEmpty();
        FinalityAttestation signedByMach = machSigned.get(0).message();
        ProbeDuty probe = ProbeDuty.LAST.get();
        // the same content again: a harmless repeat through the same database
        assertThat(probe.attest(signedByMach).isSigned()).isTrue();
        // another block hash at the height MACH signed: refused by the shared database
        byte[] other = signedByMach.l2BlockHash();
        other[0] ^= 1;
        SigningResult conflict =
            probe.attest(
                new FinalityAttestation(
                    signedByMach.rollupId(),
                    signedByMach.l2BlockNumber(),
                    other,
                    signedByMach.outputRoot(),
                    signedByMach.stakeEpoch()));
        assertThat(conflict.isSigned()).isFalse();
        assertThat(conflict.reason()).isEqualTo(RefusalReason.DOUBLE_SIGN);
      } finally {
        runtime.close();
      }
    }
  }
}
