package io.pbkv;

import io.pbkv.config.SnapshotPreloadInitializer;

import java.util.Arrays;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class PbkvApplication {

	/**
	 * Runs a node, or with {@code restore} as the first argument the restore of a snapshot into a new data dir
	 * (which starts no Spring context). The command-line client is a program of its own: {@code bin/pbkv}.
	 */
	public static void main(String[] args) {
		if (args.length > 0 && "client".equals(args[0])) {
			System.err.println("pbkv: the command-line client is a program of its own now: bin/pbkv, or "
					+ "target/pbkv-client.tar.gz unpacked anywhere (pbkv-client/bin/pbkv)");
			System.exit(2);
		}
		if (args.length > 0 && RestoreCommand.COMMAND.equals(args[0])) {
			System.exit(RestoreCommand.run(Arrays.copyOfRange(args, 1, args.length)));
		}
		SpringApplication application = new SpringApplication(PbkvApplication.class);
		application.addInitializers(new SnapshotPreloadInitializer());
		application.run(args);
	}

}
