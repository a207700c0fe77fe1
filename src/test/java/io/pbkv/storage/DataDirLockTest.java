package io.pbkv.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirLockTest {

	@TempDir
	Path tempDir;

	@Test
	void secondAcquireIsRefusedUntilClosed() throws Exception {
		Path dataDir = tempDir.resolve("data");
		Path real;
		try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
			real = lock.dir();
			assertThat(dataDir.resolve(".lock")).exists();
			assertThatThrownBy(() -> DataDirLock.acquire(dataDir)).isInstanceOf(DataDirInUseException.class)
				.hasMessageContaining("data dir " + real + " is in use by another pbkv process")
				.hasMessageContaining("pid " + ProcessHandle.current().pid());
			assertThatThrownBy(() -> DataDirLock.acquire(tempDir.resolve("data/../data")))
				.isInstanceOf(DataDirInUseException.class);
		}
		try (DataDirLock again = DataDirLock.acquire(dataDir)) {
			assertThat(again.dir()).isEqualTo(real);
		}
	}

	@Test
	void anotherProcessIsRefused() throws Exception {
		Path dataDir = tempDir.resolve("shared");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				LockHolder.class.getName(), dataDir.toString())
			.redirectErrorStream(true)
			.start();
		try {
			BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
			assertThat(out.readLine()).isEqualTo("locked");
			for (int attempt = 0; attempt < 2; attempt++) {
				assertThatThrownBy(() -> DataDirLock.acquire(dataDir)).isInstanceOf(DataDirInUseException.class)
					.hasMessageContaining("is in use by another pbkv process")
					.hasMessageContaining("pid " + holder.pid());
			}
		}
		finally {
			holder.getOutputStream().close();
			assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		DataDirLock.acquire(dataDir).close();
	}

	/** Holds the lock in a separate JVM until its stdin closes. */
	static final class LockHolder {

		public static void main(String[] args) throws Exception {
			try (DataDirLock lock = DataDirLock.acquire(Path.of(args[0]))) {
				System.out.println("locked");
				System.out.flush();
				System.in.read();
			}
		}

	}

}
