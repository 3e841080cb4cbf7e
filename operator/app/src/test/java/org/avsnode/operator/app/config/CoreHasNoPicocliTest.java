package org.avsnode.operator.app.config;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URL;
import org.avsnode.operator.node.NodeSettings;
import org.junit.jupiter.api.Test;

/** STYLE.md: command-line code stays in the binary; operator-core never imports Picocli. */
class CoreHasNoPicocliTest {

  @Test
  void operatorCoreDoesNotDependOnPicocli() {
    // every class of the operator-core artifact (its jar, or target/classes in a reactor build)
    URL core = NodeSettings.class.getProtectionDomain().getCodeSource().getLocation();
    JavaClasses classes = new ClassFileImporter().importUrl(core);
    assertThat(classes.contain(NodeSettings.class)).isTrue();
    assertThat(classes.stream())
        .noneMatch(c -> c.getPackageName().startsWith("org.avsnode.operator.app"));
    noClasses().should().dependOnClassesThat().resideInAPackage("picocli..").check(classes);
  }
}
