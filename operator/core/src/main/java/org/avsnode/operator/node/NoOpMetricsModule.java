package org.avsnode.operator.node;

import dagger.Module;
import dagger.Provides;
import javax.inject.Singleton;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.metrics.NoOpMetricsSystem;

/** Swapped in by tests (and tools) that want no metrics whatever the settings say. */
@Module
public final class NoOpMetricsModule {
  private NoOpMetricsModule() {}

  @Provides
  @Singleton
  static MetricsSystem metricsSystem() {
    return new NoOpMetricsSystem();
  }
}
