package org.avsnode.squad;

import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutyFactory;

/** Creates the SQUAD duty from its configuration section and the deployment file. */
public final class SquadDutyFactory implements DutyFactory {

  @Override
  public String id() {
    return SquadDuty.ID;
  }

  @Override
  public String description() {
    return "SQUAD sequencing: lead the rollup's slots in turn, preconfirm transactions on a"
        + " JSON-RPC endpoint, seal and commit blocks to the sequencer inbox";
  }

  @Override
  public Duty create(DutyContext context) {
    return new SquadDuty(context, SquadConfig.parse(context.config(), context.deployment()));
  }
}
