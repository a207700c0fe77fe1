package io.pbkv.config;

import io.pbkv.storage.SnapshotPreload;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts reading the node's newest snapshot before the context is refreshed, as soon as the configuration says
 * where the data dir is, and offers the read as a bean for {@link NodeConfiguration}'s log store. Added by the
 * application's {@code main}; a context started without it (a test slice) reads the snapshot in recovery instead.
 */
public final class SnapshotPreloadInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		SnapshotPreload preload;
		try {
			preload = Binder.get(context.getEnvironment())
				.bind("kv", KvProperties.class)
				.map(properties -> SnapshotPreload.start(properties.resolvedDataDir()))
				.orElseGet(SnapshotPreload::none);
		}
		catch (RuntimeException ex) {
			// Invalid settings: the context's own binding reports them properly in a moment.
			preload = SnapshotPreload.none();
		}
		context.getBeanFactory().registerSingleton("snapshotPreload", preload);
	}

}
