package org.avsnode.operator.app.run;

import dagger.BindsInstance;
import dagger.Component;
import javax.inject.Singleton;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.node.MetricsModule;
import org.avsnode.operator.node.NodeModule;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.operator.node.NodeSettings;

/**
 * The object graph of {@code operator run}. The Picocli command is not part of it: the command maps
 * its options to {@link NodeSettings} and hands that value in.
 */
@Singleton
@Component(modules = {NodeModule.class, MetricsModule.class, DutyCatalogModule.class})
interface RunComponent {
  NodeRuntime runtime();

  /** Creates the graph from the settings. */
  @Component.Factory
  interface Factory {
    RunComponent create(
        @BindsInstance NodeSettings settings, @BindsInstance LogLevelControl logLevels);
  }
}
