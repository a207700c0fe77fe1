package io.pbkv.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tokens file's format, its reload, the access rules' reading of paths, and the limit on failed sign-ins. */
class TokensFileTest {

	private static final String HASH = TokensFile.sha256("t0k3n");

	@Test
	void linesAreRolePrefixAndHashWithCommentsAndBlankLinesSkipped() {
		TokensFile file = TokensFile.parse(List.of("# comment", "", "  write app/ " + HASH + " # trailing"), "f");
		Credential c = file.find("t0k3n");
		assertThat(c).isEqualTo(new Credential(AccessRole.WRITE, "app/", HASH, 3));
		assertThat(c.describe()).doesNotContain(HASH).contains("line 3");
		assertThat(file.find("other")).isNull();
		assertThat(TokensFile.parse(List.of("read * " + HASH), "f").find("t0k3n").prefix()).isEmpty();
		assertThat(TokensFile.sha256("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}

	@Test
	void aMalformedLineIsRefusedWithItsNumberAndNeverEchoesAToken() {
		assertThatThrownBy(() -> TokensFile.parse(List.of("read *"), "f")).hasMessageContaining("f line 1");
		assertThatThrownBy(() -> TokensFile.parse(List.of("", "root * " + HASH), "f")).hasMessageContaining("line 2")
			.hasMessageContaining("read, write or admin");
		assertThatThrownBy(() -> TokensFile.parse(List.of("read * my-plain-token"), "f"))
			.hasMessageContaining("SHA-256")
			.hasMessageNotContaining("my-plain-token");
		assertThatThrownBy(() -> TokensFile.parse(List.of("read * " + HASH, "write * " + HASH), "f"))
			.hasMessageContaining("line 2")
			.hasMessageContaining("line 1");
	}

	@Test
	void theFileIsReloadedWhenItChangesAndABrokenVersionKeepsTheOldOne(@TempDir Path dir) throws Exception {
		Path path = dir.resolve("tokens");
		Files.write(path, List.of("read * " + HASH));
		MutableClock clock = new MutableClock();
		Credentials credentials = new Credentials(path, clock);
		assertThat(credentials.find("t0k3n").role()).isEqualTo(AccessRole.READ);

		Files.write(path, List.of("admin * " + HASH, "write * " + TokensFile.sha256("new")));
		Files.setLastModifiedTime(path, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
		assertThat(credentials.find("t0k3n").role()).as("checked at most once a second").isEqualTo(AccessRole.READ);
		clock.advance(1000);
		assertThat(credentials.find("t0k3n").role()).isEqualTo(AccessRole.ADMIN);
		assertThat(credentials.find("new")).isNotNull();

		Files.write(path, List.of("nonsense"));
		Files.setLastModifiedTime(path, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 9000));
		clock.advance(1000);
		assertThat(credentials.find("t0k3n").role()).as("a broken file changes nothing").isEqualTo(AccessRole.ADMIN);

		Files.write(path, List.of("write * " + TokensFile.sha256("new")));
		Files.setLastModifiedTime(path, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 13000));
		clock.advance(1000);
		assertThat(credentials.find("t0k3n")).as("a token removed from the file").isNull();
	}

	@Test
	void pathsAreReadAsTheHandlersMatchThem() {
		assertThat(AccessRules.normalize("/kv;jsessionid=x/a")).isEqualTo("/kv/a");
		assertThat(AccessRules.normalize("//admin//snapshot/")).isEqualTo("/admin/snapshot");
		assertThat(AccessRules.normalize("/%61dmin/snapshot")).isEqualTo("/admin/snapshot");
		assertThat(AccessRules.of("PUT", "/%6Bv/x", null).role()).isEqualTo(AccessRole.WRITE);
		assertThat(AccessRules.of("GET", "/kv;x=1", "app/").scope()).isEqualTo(AccessRules.Scope.LIST);
		assertThat(AccessRules.of("POST", "/cluster;x/members", null).role()).isEqualTo(AccessRole.ADMIN);
		assertThat(AccessRules.of("POST", "/unknown", null).role()).isEqualTo(AccessRole.ADMIN);
		assertThat(AccessRules.of("GET", "/kv/%2e%2e/admin", null)).as("a dot segment").isNull();
		assertThat(AccessRules.of("GET", "/actuator/health/liveness", null).open()).isTrue();
		assertThat(AccessRules.of("GET", "/actuator/env", null).role()).isEqualTo(AccessRole.ADMIN);
	}

	@Test
	void anAddressWithTooManyFailuresWaitsOutTheMinute() {
		MutableClock clock = new MutableClock();
		FailedAttempts failures = new FailedAttempts(clock);
		for (int i = 0; i < FailedAttempts.LIMIT; i++) {
			assertThat(failures.blocked("10.0.0.1")).isFalse();
			failures.failed("10.0.0.1");
		}
		assertThat(failures.blocked("10.0.0.1")).isTrue();
		assertThat(failures.blocked("10.0.0.2")).isFalse();
		clock.advance(60_000);
		assertThat(failures.blocked("10.0.0.1")).isFalse();
	}

	static final class MutableClock extends Clock {

		private long millis = 1_000_000;

		void advance(long by) {
			millis += by;
		}

		@Override
		public long millis() {
			return millis;
		}

		@Override
		public Instant instant() {
			return Instant.ofEpochMilli(millis);
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
