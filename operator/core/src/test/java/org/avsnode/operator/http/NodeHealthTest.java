package org.avsnode.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.avsnode.operator.spi.Health;
import org.junit.jupiter.api.Test;

class NodeHealthTest {
  @Test
  void healthMapsToTheEigenLayerStatusCodes() {
    assertThat(NodeHealth.httpStatus(Health.Status.UP)).isEqualTo(200);
    assertThat(NodeHealth.httpStatus(Health.Status.PARTIAL)).isEqualTo(206);
    assertThat(NodeHealth.httpStatus(Health.Status.DOWN)).isEqualTo(503);
    assertThat(NodeHealth.label(Health.Status.UP)).isEqualTo("Up");
    assertThat(NodeHealth.label(Health.Status.DOWN)).isEqualTo("Down");
  }
}
