package org.avsnode.vital;

import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutyFactory;

/**
 * Creates the VITAL duty from the node's context: its configuration section (addresses default to
 * the deployment file's), the node's signer and transaction sender. The duty holds no key.
 */
public final class VitalDutyFactory implements DutyFactory {

  @Override
  public String id() {
    return VitalDuty.ID;
  }

  @Override
  public String description() {
    return "VITAL verification: check every output a rollup posts against the operator's own L2"
        + " node, sign verdicts, aggregate verdict certificates";
  }

  @Override
  public Duty create(DutyContext context) {
    return new VitalDuty(context, VitalConfig.parse(context.config(), context.deployment()));
  }
}
