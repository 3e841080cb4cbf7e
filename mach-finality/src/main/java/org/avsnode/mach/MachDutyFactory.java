package org.avsnode.mach;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.avsnode.bls.keystore.KeystoreException;
import org.avsnode.mach.chain.MachContracts;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.slashing.EmbeddedSlashingProtection;
import org.avsnode.operator.slashing.MessageKind;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.RefusalReason;
import org.avsnode.operator.slashing.SigningListener;
import org.avsnode.operator.slashing.SlashingProtection;
import org.avsnode.operator.slashing.SlashingProtections;
import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutyFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;
import org.web3j.crypto.exception.CipherException;

/**
 * Creates the MACH duty. Installed through {@code META-INF/services}: the node creates it with the
 * no-argument constructor and the duty then opens its keys from its configuration section ({@code
 * bls-keystore-file}, {@code bls-password-file}, {@code ecdsa-keystore-file}, {@code
 * ecdsa-password-file}, {@code slashing-protection-dir}). An embedding program (the devnet) passes
 * the per-operator services itself.
 */
public final class MachDutyFactory implements DutyFactory {
  private final Function<DutyContext, MachServices> services;

  /** For the service loader: keys come from the duty's configuration. */
  public MachDutyFactory() {
    this(MachDutyFactory::servicesFromConfig);
  }

  public MachDutyFactory(Function<DutyContext, MachServices> services) {
    this.services = Objects.requireNonNull(services, "services");
  }

  @Override
  public String id() {
    return MachDuty.ID;
  }

  @Override
  public String description() {
    return "MACH fast finality: attest L2 blocks, aggregate BLS finality certificates";
  }

  @Override
  public Duty create(DutyContext context) {
    MachConfig config = MachConfig.parse(context.config());
    return new MachDuty(context, config, services.apply(context));
  }

  /** Adapts the node's signer metrics to the protected signer's listener. */
  public static SigningListener signingListener(DutyContext context) {
    return new SigningListener() {
      @Override
      public void onSigned(MessageKind kind, boolean repeat) {
        context.signerMetrics().signature(MachDuty.ID, "signed");
      }

      @Override
      public void onRefused(MessageKind kind, RefusalReason reason) {
        context.signerMetrics().refusal(MachDuty.ID, reason.name().toLowerCase(Locale.ROOT));
      }
    };
  }

  private static MachServices servicesFromConfig(DutyContext context) {
    MachConfig config = MachConfig.parse(context.config());
    L1Client l1 =
        context
            .l1()
            .orElseThrow(() -> new IllegalStateException("mach needs the node's L1 endpoint"));
    BlsSecretKey key;
    try {
      key =
          Eip2335Keystore.read(Path.of(required(config, "bls-keystore-file")))
              .decrypt(password(required(config, "bls-password-file")));
    } catch (KeystoreException e) {
      throw new IllegalStateException("mach: cannot open the BLS keystore: " + e.getMessage(), e);
    }
    Credentials ecdsa;
    try {
      ecdsa =
          WalletUtils.loadCredentials(
              password(required(config, "ecdsa-password-file")),
              required(config, "ecdsa-keystore-file"));
    } catch (IOException | CipherException e) {
      throw new IllegalStateException("mach: cannot open the ECDSA keystore: " + e.getMessage(), e);
    }
    Eip712Domain domain =
        Eip712Domain.avsNode(l1.chainId(), MachContracts.address(config.registry()));
    // a shared PostgreSQL database (redundant instances) when configured, else the embedded one
    SlashingProtection db =
        config
            .keyFile("slashing-protection-db-url")
            .map(
                url ->
                    SlashingProtections.openPostgres(
                        url, new java.util.Properties(), ProtectedSigner.slashingDomain(domain)))
            .orElseGet(
                () ->
                    EmbeddedSlashingProtection.open(
                        Path.of(required(config, "slashing-protection-dir")),
                        ProtectedSigner.slashingDomain(domain)));
    ProtectedSigner signer = new ProtectedSigner(key, db, domain, signingListener(context));
    return new MachServices(
        signer, MachContracts.address(ecdsa.getAddress()), Optional.of(ecdsa), MachEvents.NONE, db);
  }

  private static String required(MachConfig config, String key) {
    return config
        .keyFile(key)
        .orElseThrow(() -> new IllegalArgumentException("mach: " + key + " is not configured"));
  }

  private static String password(String file) {
    try {
      String s = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      return s.endsWith("\r\n")
          ? s.substring(0, s.length() - 2)
          : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    } catch (IOException e) {
      throw new IllegalArgumentException("mach: cannot read password file " + file);
    }
  }
}
