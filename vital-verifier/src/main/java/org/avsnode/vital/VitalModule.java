package org.avsnode.vital;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import org.avsnode.operator.spi.DutyFactory;

/** VITAL's Dagger module: contributes the duty's factory to the node's catalog, by id. */
@Module
public final class VitalModule {
  private VitalModule() {}

  @Provides
  @IntoMap
  @StringKey(VitalDuty.ID)
  static DutyFactory vital() {
    return new VitalDutyFactory();
  }
}
