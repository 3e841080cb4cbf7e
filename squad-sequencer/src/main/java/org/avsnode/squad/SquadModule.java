package org.avsnode.squad;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import org.avsnode.operator.spi.DutyFactory;

/** Contributes the SQUAD duty to the node's duty catalog. */
@Module
public final class SquadModule {
  private SquadModule() {}

  @Provides
  @IntoMap
  @StringKey(SquadDuty.ID)
  static DutyFactory squad() {
    return new SquadDutyFactory();
  }
}
