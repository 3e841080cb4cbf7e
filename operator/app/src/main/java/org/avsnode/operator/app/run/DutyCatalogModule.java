package org.avsnode.operator.app.run;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.Multibinds;
import java.util.Map;
import javax.inject.Singleton;
import org.avsnode.operator.node.DutyCatalog;
import org.avsnode.operator.spi.DutyFactory;

/** The duties the binary can run: every factory a duty's Dagger module contributes, by id. */
@Module
abstract class DutyCatalogModule {
  private DutyCatalogModule() {}

  /** Declared so that a binary without any duty module still builds. */
  @Multibinds
  abstract Map<String, DutyFactory> factories();

  @Provides
  @Singleton
  static DutyCatalog catalog(Map<String, DutyFactory> factories) {
    return new DutyCatalog(factories);
  }
}
