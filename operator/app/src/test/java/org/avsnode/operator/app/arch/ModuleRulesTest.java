package org.avsnode.operator.app.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.avsnode.bls.archfixture.PlantedBlsUsesCore;
import org.avsnode.mach.archfixture.PlantedMachUsesApp;
import org.avsnode.mach.archfixture.PlantedMachUsesCoreAndItself;
import org.avsnode.mach.archfixture.PlantedMachUsesVital;
import org.avsnode.operator.archfixture.PlantedCoreUsesSquad;
import org.avsnode.squad.archfixture.PlantedSquadHelper;
import org.avsnode.squad.archfixture.PlantedSquadSendsItself;
import org.avsnode.vital.archfixture.PlantedVitalHelper;
import org.avsnode.vital.archfixture.PlantedVitalSignsItself;
import org.junit.jupiter.api.Test;

/** The rules catch planted violations (test-only classes) and accept the allowed dependencies. */
class ModuleRulesTest {

  private static JavaClasses only(Class<?>... classes) {
    return new ClassFileImporter().importClasses(classes);
  }

  @Test
  void aDutyImportingAnotherDutyFails() {
    assertThatThrownBy(
            () ->
                ModuleRules.DUTIES_ARE_PLUG_INS.check(
                    only(PlantedMachUsesVital.class, PlantedVitalHelper.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("PlantedMachUsesVital")
        .hasMessageContaining("PlantedVitalHelper");
  }

  @Test
  void aDutyImportingTheAppFails() {
    assertThatThrownBy(() -> ModuleRules.DUTIES_ARE_PLUG_INS.check(only(PlantedMachUsesApp.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("org.avsnode.operator.app.Main");
  }

  @Test
  void aDutyUsingItsOwnPackageAndTheCoreApiPasses() {
    ModuleRules.DUTIES_ARE_PLUG_INS.check(only(PlantedMachUsesCoreAndItself.class));
  }

  @Test
  void aDutyHoldingASecretKeyOrABackendFails() {
    assertThatThrownBy(
            () -> ModuleRules.DUTIES_NEVER_TOUCH_KEYS.check(only(PlantedVitalSignsItself.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("org.avsnode.bls.BlsSecretKey")
        .hasMessageContaining("EmbeddedSlashingProtection");
    assertThatThrownBy(
            () -> ModuleRules.DUTIES_NEVER_TOUCH_KEYS.check(only(PlantedSquadSendsItself.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("org.web3j.crypto.Credentials");
    // signing through the node's signer is what a duty may do
    ModuleRules.DUTIES_NEVER_TOUCH_KEYS.check(only(PlantedMachUsesCoreAndItself.class));
  }

  @Test
  void coreImportingADutyFails() {
    assertThatThrownBy(
            () ->
                ModuleRules.CORE_DEPENDS_ON_NO_DUTY_AND_NOT_ON_THE_APP.check(
                    only(PlantedCoreUsesSquad.class, PlantedSquadHelper.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("PlantedSquadHelper");
  }

  @Test
  void blsImportingTheCoreFails() {
    assertThatThrownBy(
            () -> ModuleRules.dependsOnNothingOfOurs("bls").check(only(PlantedBlsUsesCore.class)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("PlantedBlsUsesCore");
  }

  @Test
  void aNewDutyPackageIsCoveredWithoutEditingTheRules() {
    assertThat(ModuleRules.INFRASTRUCTURE).doesNotContain("mach", "vital", "squad", "prover");
  }
}
