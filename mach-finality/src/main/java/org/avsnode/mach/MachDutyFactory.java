package org.avsnode.mach;

import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutyFactory;

/**
 * Creates the MACH duty from the node's context: its configuration section (addresses default to
 * the deployment file's), the node's signer and transaction sender. The duty holds no key.
 */
public final class MachDutyFactory implements DutyFactory {

  @Override
  public String id() {
    return MachDuty.ID;
  }

  @Override
  public String description() {
    return "MACH fast finality: attest L2 blocks, aggregate BLS finality certificates";
  }

  @Override
  public Duty create(DutyContext context) {
    MachConfig config = MachConfig.parse(context.config(), context.deployment());
    return new MachDuty(context, config);
  }
}
