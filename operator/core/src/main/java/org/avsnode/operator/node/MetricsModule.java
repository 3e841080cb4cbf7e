package org.avsnode.operator.node;

import dagger.Module;
import dagger.Provides;
import javax.inject.Singleton;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.PrometheusMetricsSystem;

/** Prometheus metrics when the settings enable them, no-op otherwise. */
@Module
public final class MetricsModule {
  private MetricsModule() {}

  @Provides
  @Singleton
  static MetricsSystem metricsSystem(NodeSettings settings) {
    return settings.metricsEnabled() ? new PrometheusMetricsSystem() : new NoOpMetricsSystem();
  }
}
