package org.avsnode.operator.app.run;

import dagger.BindsInstance;
import dagger.Component;
import javax.inject.Singleton;
import org.avsnode.mach.MachModule;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.node.MetricsModule;
import org.avsnode.operator.node.NodeModule;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.spi.DutyObservers;
import org.avsnode.squad.SquadModule;
import org.avsnode.vital.VitalModule;

/**
 * The object graph of an operator node: what {@code operator run} starts, and what the devnet
 * starts for each of its operators. The Picocli command is not part of it: the command maps its
 * options to {@link NodeSettings} and hands that value in. Each duty contributes its factory
 * through its own Dagger module.
 */
@Singleton
@Component(
    modules = {
      NodeModule.class,
      MetricsModule.class,
      DutyCatalogModule.class,
      MachModule.class,
      VitalModule.class,
      SquadModule.class
    })
public interface RunComponent {
  NodeRuntime runtime();

  /** The graph for {@code settings}; {@code observers} is empty under {@code operator run}. */
  static RunComponent create(
      NodeSettings settings, LogLevelControl logLevels, DutyObservers observers) {
    return DaggerRunComponent.factory().create(settings, logLevels, observers);
  }

  /** Creates the graph from the settings. */
  @Component.Factory
  interface Factory {
    RunComponent create(
        @BindsInstance NodeSettings settings,
        @BindsInstance LogLevelControl logLevels,
        @BindsInstance DutyObservers observers);
  }
}
