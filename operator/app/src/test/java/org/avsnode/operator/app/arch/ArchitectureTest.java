package org.avsnode.operator.app.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Applies the module rules to the production classes of every module (the app sees them all). */
class ArchitectureTest {
  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.avsnode");
  }

  @Test
  void theImportSeesEveryModule() {
    // guards against a rule passing because nothing was imported
    assertThat(production.stream().map(c -> c.getPackageName()))
        .anyMatch(p -> p.startsWith("org.avsnode.toolchain"))
        .anyMatch(p -> p.startsWith("org.avsnode.operator.spi"))
        .anyMatch(p -> p.startsWith("org.avsnode.operator.app"));
    assertThat(production.stream()).noneMatch(c -> c.getSimpleName().contains("Planted"));
  }

  @Test
  void dutiesArePlugIns() {
    ModuleRules.DUTIES_ARE_PLUG_INS.check(production);
  }

  @Test
  void dutiesNeverTouchKeysOrASlashingProtectionBackend() {
    ModuleRules.DUTIES_NEVER_TOUCH_KEYS.check(production);
  }

  @Test
  void coreDependsOnNoDutyAndNotOnTheApp() {
    ModuleRules.CORE_DEPENDS_ON_NO_DUTY_AND_NOT_ON_THE_APP.check(production);
  }

  @Test
  void blsContractsAndToolchainDependOnNothingOfOurs() {
    ModuleRules.dependsOnNothingOfOurs("bls").check(production);
    ModuleRules.dependsOnNothingOfOurs("contracts").check(production);
    ModuleRules.dependsOnNothingOfOurs("toolchain").check(production);
  }

  @Test
  void theCertificateVerifierDependsOnlyOnBls() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
        .that()
        .resideInAPackage("org.avsnode.certificate..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.avsnode.operator..", "org.avsnode.contracts..", "org.avsnode.toolchain..")
        .allowEmptyShould(true)
        .check(production);
  }
}
