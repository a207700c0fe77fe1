package io.pbkv;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class PbkvApplication {

	public static void main(String[] args) {
		SpringApplication.run(PbkvApplication.class, args);
	}

}
