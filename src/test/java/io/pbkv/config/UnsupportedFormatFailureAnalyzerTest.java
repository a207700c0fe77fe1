package io.pbkv.config;

import io.pbkv.storage.FileMetaStore;
import io.pbkv.storage.UnsupportedFormatException;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class UnsupportedFormatFailureAnalyzerTest {

	@TempDir
	Path dataDir;

	@Test
	void aDataDirOfANewerPbkvIsReportedAsSuchWhenStartUpFails() throws Exception {
		Files.writeString(dataDir.resolve("meta.properties"), "format=7\nclusterId=c\nepoch=3\nchecksum=0\n");
		UnsupportedFormatException refused = catchThrowableOfType(UnsupportedFormatException.class,
				() -> new FileMetaStore(dataDir).load());
		BeanCreationException startUp = new BeanCreationException("nodeRuntime", "failed", refused);

		FailureAnalysis analysis = new UnsupportedFormatFailureAnalyzer().analyze(startUp);

		assertThat(analysis.getDescription()).contains("data dir format version 7")
			.contains("written by a newer pbkv");
		assertThat(analysis.getAction()).contains("Run the pbkv version that wrote this data dir");
	}

	@Test
	void itIsRegistered() {
		assertThat(SpringFactoriesLoader.loadFactoryNames(FailureAnalyzer.class, getClass().getClassLoader()))
			.contains(UnsupportedFormatFailureAnalyzer.class.getName());
	}

}
