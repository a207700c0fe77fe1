package io.pbkv.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcStatsTest {

	@Test
	void readsWriteBytesOfProcIo() {
		String io = """
				rchar: 6976
				wchar: 400
				syscr: 10
				syscw: 2
				read_bytes: 0
				write_bytes: 1232896
				cancelled_write_bytes: 4096
				""";

		assertThat(ProcStats.parseWriteBytes(io)).hasValue(1_232_896);
	}

	@Test
	void readsVmRssInKibibytesAsBytes() {
		String status = """
				Name:	java
				VmPeak:	 9000000 kB
				VmRSS:	  524288 kB
				RssAnon:	  500000 kB
				""";

		assertThat(ProcStats.parseRssBytes(status)).hasValue(512L * 1024 * 1024);
		assertThat(ProcStats.parseRssBytes("Name:\tjava\n")).isEmpty();
	}

	@Test
	void theBenchmarkCanReadItsOwnProcessWhereThereIsAProc() {
		if (Files.isDirectory(Path.of("/proc/self"))) {
			assertThat(ProcStats.rssBytes(ProcessHandle.current().pid())).isPresent();
		}
	}

}
