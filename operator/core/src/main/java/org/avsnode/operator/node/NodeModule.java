package org.avsnode.operator.node;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import java.time.Clock;
import javax.inject.Singleton;
import org.avsnode.operator.http.RouteTable;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.metrics.SignerMetrics;
import org.avsnode.operator.spi.HttpRoutes;

/**
 * The node's shared services: standard metrics, the route table duties mount on, the clock. The
 * metrics system comes from {@link MetricsModule} or {@link NoOpMetricsModule}.
 */
@Module
public abstract class NodeModule {
  private NodeModule() {}

  @Provides
  @Singleton
  static NodeMetrics nodeMetrics(MetricsSystem system) {
    return new NodeMetrics(system);
  }

  @Binds
  abstract SignerMetrics signerMetrics(NodeMetrics metrics);

  @Provides
  @Singleton
  static RouteTable routeTable() {
    return new RouteTable();
  }

  @Binds
  abstract HttpRoutes httpRoutes(RouteTable table);

  @Provides
  @Singleton
  static Clock clock() {
    return Clock.systemUTC();
  }
}
