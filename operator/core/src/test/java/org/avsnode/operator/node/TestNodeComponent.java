package org.avsnode.operator.node;

import dagger.BindsInstance;
import dagger.Component;
import javax.inject.Singleton;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.spi.DutyObservers;

/** The node graph for tests: no metrics (module swapped), duties bound by the test. */
@Singleton
@Component(modules = {NodeModule.class, NoOpMetricsModule.class})
interface TestNodeComponent {
  NodeRuntime runtime();

  @Component.Factory
  interface Factory {
    TestNodeComponent create(
        @BindsInstance NodeSettings settings,
        @BindsInstance LogLevelControl logLevels,
        @BindsInstance DutyCatalog catalog,
        @BindsInstance DutyObservers observers);
  }
}
