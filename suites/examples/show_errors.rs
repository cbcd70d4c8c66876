fn main() {
    let dir = std::env::temp_dir().join("xh-show");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("a/x.c"), "").unwrap();
    let cases = [
        "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n[run]\ntimout = 3\n",
        "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n[run]\nargs = [\"{foo}\"]\n",
        "name = \"t\"\ninclude = [\"**/*.wat\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n",
        "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n[run]\nmax_memory = \"1 gig\"\n",
        "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n[[golden.normalize]]\nregex = \"(a\"\nreplace = \"\"\n",
        "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n[expect.wasmer]\n\"a/y\" = \"xfail: x\"\n",
        "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n[expect.wasmer]\n\"a/x\" = \"fails sometimes\"\n",
        "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n[run]\ntimeout = \"10s\"\n",
        "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\n[run]\nexit_code = 1.5\n",
        "name = \"t\"\ninclude = [\"**/*.c\"]\n",
        "name = \"t\"\nroot = \"src\"\ninclude = [\"**/*.c\"]\n[toolchain]\nbuiltin = \"wat\"\n",
        "name = \"t\"\ninclude = \"**/*.c\"\n[toolchain]\nbuiltin = \"wat\"\n",
        "name = \"t\"\ninclude = [\"**/*.c\"\n",
    ];
    for text in cases {
        std::fs::write(dir.join("suite.toml"), text).unwrap();
        match xharness_suites::load(&dir) {
            Ok(_) => println!("OK?!"),
            Err(e) => println!("{e}\n"),
        }
    }
    std::fs::write(dir.join("a/x.exit"), "three").unwrap();
    std::fs::write(dir.join("suite.toml"), "name = \"t\"\ninclude = [\"**/*.c\"]\n[toolchain]\nbuiltin = \"wat\"\n").unwrap();
    println!("{}\n", xharness_suites::load(&dir).unwrap_err());
    println!("{}", xharness_suites::resolve("nope", &dir).unwrap_err());
}
