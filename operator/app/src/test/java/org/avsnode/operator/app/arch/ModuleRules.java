package org.avsnode.operator.app.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Optional;
import java.util.Set;

/**
 * The module dependency rules of DESIGN.md §2, as ArchUnit rules over package names.
 *
 * <p>Top-level packages under {@code org.avsnode}: {@code bls} (bls-native), {@code certificate}
 * (certificate-verifier, the bridge library), {@code contracts} (eigen-contracts), {@code
 * toolchain}, {@code operator} (core; {@code operator.app} is the binary). Every other top-level
 * package is a duty (mach, vital, squad, and any duty added later): a new duty is covered without
 * editing these rules.
 */
public final class ModuleRules {
  private ModuleRules() {}

  static final String ROOT = "org.avsnode.";
  static final String APP = "org.avsnode.operator.app";
  static final Set<String> INFRASTRUCTURE =
      Set.of("bls", "certificate", "contracts", "toolchain", "operator");

  /** The top-level module package of a class ({@code mach} for org.avsnode.mach.x.Y). */
  static Optional<String> moduleOf(JavaClass c) {
    String name = c.getPackageName() + ".";
    if (!name.startsWith(ROOT)) {
      return Optional.empty();
    }
    String rest = name.substring(ROOT.length());
    int dot = rest.indexOf('.');
    return dot <= 0 ? Optional.empty() : Optional.of(rest.substring(0, dot));
  }

  static boolean isApp(JavaClass c) {
    return c.getPackageName().equals(APP) || c.getPackageName().startsWith(APP + ".");
  }

  static boolean isDuty(JavaClass c) {
    return moduleOf(c).map(m -> !INFRASTRUCTURE.contains(m)).orElse(false);
  }

  static final DescribedPredicate<JavaClass> IN_A_DUTY =
      DescribedPredicate.describe("reside in a duty module", ModuleRules::isDuty);

  /**
   * A duty depends only on itself, the operator's core API, bls-native and the contract bindings:
   * never on another duty, never on the binary.
   */
  public static final ArchRule DUTIES_ARE_PLUG_INS =
      classes()
          .that(IN_A_DUTY)
          .should(
              new ArchCondition<JavaClass>(
                  "depend only on their own package, operator core, bls and contracts") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                  String own = moduleOf(c).orElseThrow();
                  for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass();
                    Optional<String> m = moduleOf(target);
                    if (m.isEmpty() || m.get().equals(own)) {
                      continue;
                    }
                    boolean allowed =
                        (m.get().equals("operator") && !isApp(target))
                            || m.get().equals("bls")
                            || m.get().equals("certificate")
                            || m.get().equals("contracts");
                    if (!allowed) {
                      events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                  }
                }
              })
          .allowEmptyShould(true);

  /** The operator's core never depends on a duty or on the binary. */
  /**
   * The node owns the keys: duty code never touches a BLS secret key, an ECDSA private key or
   * credentials, a keystore, or a slashing-protection backend. It signs through the node's {@code
   * DutySigner} and sends transactions through the node's {@code TransactionSender}.
   */
  public static final ArchRule DUTIES_NEVER_TOUCH_KEYS =
      noClasses()
          .that(IN_A_DUTY)
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.avsnode.bls.BlsSecretKey")
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.avsnode.bls.keystore..",
              "org.avsnode.operator.keys..",
              "org.web3j.crypto.exception..")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.web3j.crypto.Credentials")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.web3j.crypto.ECKeyPair")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.web3j.crypto.Wallet")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.web3j.crypto.WalletUtils")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.avsnode.operator.slashing.SlashingProtection")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.avsnode.operator.slashing.SlashingProtections")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.avsnode.operator.slashing.JdbcSlashingProtection")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.avsnode.operator.slashing.EmbeddedSlashingProtection")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.avsnode.operator.slashing.PostgresSlashingProtection")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.avsnode.operator.slashing.ProtectedSigner")
          .because(
              "the node owns keys and slashing protection; duties sign through DutyContext.signer()")
          .allowEmptyShould(true);

  public static final ArchRule CORE_DEPENDS_ON_NO_DUTY_AND_NOT_ON_THE_APP =
      noClasses()
          .that(
              DescribedPredicate.describe(
                  "reside in operator core",
                  (JavaClass c) -> moduleOf(c).equals(Optional.of("operator")) && !isApp(c)))
          .should()
          .dependOnClassesThat(
              DescribedPredicate.describe(
                  "reside in a duty or in the app", (JavaClass c) -> isDuty(c) || isApp(c)))
          .allowEmptyShould(true);

  /** bls-native, the contract bindings and the toolchain depend on nothing of ours. */
  public static ArchRule dependsOnNothingOfOurs(String module) {
    return noClasses()
        .that(
            DescribedPredicate.describe(
                "reside in " + module, (JavaClass c) -> moduleOf(c).equals(Optional.of(module))))
        .should()
        .dependOnClassesThat(
            DescribedPredicate.describe(
                "belong to another module of ours",
                (JavaClass c) -> moduleOf(c).map(m -> !m.equals(module)).orElse(false)))
        .allowEmptyShould(true);
  }
}
