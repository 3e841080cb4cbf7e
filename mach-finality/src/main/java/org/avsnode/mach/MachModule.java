package org.avsnode.mach;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import org.avsnode.operator.spi.DutyFactory;

/** MACH's Dagger module: contributes the duty's factory to the node's catalog, by id. */
@Module
public final class MachModule {
  private MachModule() {}

  @Provides
  @IntoMap
  @StringKey(MachDuty.ID)
  static DutyFactory mach() {
    return new MachDutyFactory();
  }
}
