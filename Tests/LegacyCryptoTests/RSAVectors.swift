import Testing

// Known answers for raw RSA, computed with Python 3's pow(m, e, n) from
// pseudo-random odd moduli (random.Random(20240611)); all numbers are
// little-endian hex. The moduli need not be products of two primes for
// modular exponentiation to be checked.

struct RSAVectors {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let n: String
        let e: String
        let m: String
        let c: String
        var testDescription: String { name }
    }

    static let all: [Vector] = [
        Vector(
            name: "512-bit modulus, e = 65537, a 32-byte client random as in RDP",
            n: """
                25139b9b5ee5a6d1f8455ac5d7f96b5652ed4342ef260ccfa9ed5b267fcf965d0cccdeb7ff7cd7c14de370dd2e0a6a5e
                cd0eac5537516304e23e4a3ba52375b3
                """.filter { !$0.isWhitespace },
            e: "010001",
            m: """
                0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
                """.filter { !$0.isWhitespace },
            c: """
                da75c2470290126056f6dd56d890895f68c65136081622c36a3614f6be11ff18f9777ce815ee9b8344b206cedee9a997
                2f7f6d6396355a9b9457bbffacd0d68c
                """.filter { !$0.isWhitespace }
        ),
        Vector(
            name: "2048-bit modulus, e = 65537",
            n: """
                375a91ad2153e44dd73abae6b1be239880b9cf1fbdab4edd11afc80cc1473468262dae5bdd37b6bfc27fa84c829bd0ae
                61230b9a3d008d15e15c822e3435f11fd4cbf00788f2f533b6f2a253adf4d9003840233c3646c34c1acf144d49a530d3
                f93c426af4c88d66c4a8c935304078d1d05548f9e0905876a49e2e9fb08b5daf5bdeecbac6dedfa965e6d85f1a079f69
                67997def44562df8dbd8fad62f46fbfd4c13203f76bd18db0c5bfab515c2460e2a74f0f1306c41bf74b94892b5ca2a42
                6b8dd05eb65463475f15886036fb7c3afdca7dd5fa90c937d979c288ef41ad2678ed65efb88cbb6da6c9beaf96c80b0e
                604476d1a5d263dd0b8772aa0eea0ada
                """.filter { !$0.isWhitespace },
            e: "010001",
            m: """
                2af44a601ca2bd07b5a53854813777d15f6785f54551e4eee03ae7b2f0c3d0841e4cfd67bef9805cb77d671865f35baa
                19ed426aba4a39ea4fda8eb76ff3fa70b3c4c65415b21acae10f03e177f74b0fd557d21d293e8a900d18729a3126012e
                dac61aaf26ced5fef091f10fb9d731cc9d4e1ba921f268f7cc7484ab63b2664ac61eb8b646c889c69ef8f7b902205f53
                8eb8c7b35dca5c35e11ba2f96be07c8584588ce98096c802797e9d55602244d64936c08a24b8730484a639f3419bc83c
                95ed913f05208cd6d2d3005c81454e5fc7fa99c54cf1f486d443eab9366be0d294cf096d607ea5b23415ab0b03ac1e8d
                2ea644c4e39b602570ea
                """.filter { !$0.isWhitespace },
            c: """
                1b570eb77747a1f2e1079265ab59a50e47ef229ff7d75c528b69952ec655b33bec38ac95f44226a447e000915b8c3ced
                8ab405051f786a4cbc9d1eca662dadc2a34b9097957c7df7e042845ec1b69a4132113bb8467c7b8997e59df3d7325a16
                a8a08fdb897c1afe540c4f148085d162b2d233f9f53ff21982591720e3a5ed120696713fab5f8d0713d14089185908c1
                4c625d84df29b64416c8389d271c26dabd227dd198efbc9e10c3e17d20fbe6219d5d7d7f68cb98c52832cb86ff3a4a3f
                eb68c9c25867bc065c85e4f7ba13edef4ead0ca5861b2752032552d39f7f093421dc1d83c65c3d5da19237c0878ccf9f
                4c73b3cb85b8bb2c594a32aa4f1e366a
                """.filter { !$0.isWhitespace }
        ),
        Vector(
            name: "4096-bit modulus, e = 3",
            n: """
                99eb20ed104d11e4ba453913bbfc38be096fba405143efde31021fd3d20963c52e44fdc86b2c4343ecec8602eb83d59f
                d358b4bb9be42d743443e943d64c379fca8ebdf6cd24609e3ed09322c6852d165a120d3d8b11dadb9453e2f2344f7a50
                0173225912dd5b707328a27716163c60cba2670c73bbf8130d0b8e491edecc38d0a27528599a3b7ebb0a16e62fca7efb
                831e419d0ad310b125c46569ec2c862f42442a2f64f1f8482fd6619f6f47cb0e4b9fefbd2f5320e29235e8d20ea6188e
                aaf655e6f6ea9cf6b46b11f4ef71260ddde49fb4d9ae02723743a2cc46c2e6c1b655e0cdc535f7ca064aed555d0c7aac
                80b4b0b1317173cffa0d40125eb70f603f60175f4ce6cfe3ac4f2a6ae8fb0a19be87abf19a7416b28ca5a7493f62ae00
                c2f06c5c10cf9eb5f7f97331c354c92a778b8437c09aa65209e4c8252ac0d5ea82c145e33f063d68e0d65cc59db1cbe8
                ef5da7be626ddc984e1dd5daa79d1d1341d3c058ab747498fe1e7f5195bbee6cbdf6d8caffe72ce8eb8d97469e925414
                48553c9fb7eecdfe789f8e0a9905e069314ca7926cf38b79496a358a5acf77a311a449b8b897744c9dae7d4cc0bb00c9
                15e5cc3e0e5a436a55c64ab4f607e48a8cb9962929282ad9fe3f07ec7f0ac61608fa9ce177efcc4d13bc83de9f53bf4d
                1e0cab837812c938ba47572cf4ff52ba5fa47f6fba77146270c7205fd05a6faf
                """.filter { !$0.isWhitespace },
            e: "03",
            m: """
                87306431f57779c6a506afff3582736cf4a1f9ca8c2668aadec83cd3481f5b76773d6fbea1f2ad06c58a103fbc52f701
                517b221b2af5ebd604b769fa432a0a5d11c261c931fa4c9290474f2201e0e250a2618b99fcac10580cfa8bee9431fdb7
                117dc13c4b99e686f48b3c748b5209f078cb336dba6acf864ba9a7050170aa9f8a21bc0f6d9294cf65df1bb8f184b8d0
                a897d39da00780c86a76438c2b3e15db6b23861b361970702ddb5d2f5aea8b9c48980b07b6b50308186364ed06e91b85
                87bd7b47feb1d70d09ea9cd34786746b7612aca756b7c8484e7fa033208b60c9a2a94500eadb72b939be53b29fd077ad
                06bdff72c468e44880160f2fae36f92e835234cc69e6634161aae3dd2674e6cc2d646161a62ac90a7a302fcedaea01a1
                71e74f2a3cca6a9e605806f389986519928dcd01402a0dc3ceb8b5d6c61e61f0a7c0b45518861c2668ca2b4907e7fd1a
                38282d8f83b3b7d164b244c34669af532d4769f0d06e357f7184dd5e977dd5b509632b5857f89ac7374ad5404c07955f
                797ec73781008223f70e8beecbaa6c64fa0ad2f761ded092f75c85597316feaf07f63d28bf8b499d3266ad4494c4dce3
                dd0cbf0235cd897b87c75bd8da320ff045444e5190b87d666b399ce54dd8f211d9f583ae2c473db51cdb4cf82b34683e
                7053f1a53985f0c3ff78e266e45f1abb9aa6e56e
                """.filter { !$0.isWhitespace },
            c: """
                f5799b4203d92668184978b9d43e78bd280f12dd468f7dfd56c4955afd9fd412546e3608c89c00bc4b488678f61b47f0
                9396512b723ac9c6be6079ea88be96a203b0c556a2afb5e123126deaf9ad2cacdeda318c6f42c9c57ab0e6b044a3179c
                a06fee10be261dae948a1d5fe7fd9aa62fcd009c16f953f0dc69b6a80b072d738fd1120ac6ac5130ecb79c7f3e23f85f
                948061e5e1d7347adc05dad34a89001ebc69129dfb87b0cc495ec671d847df4116cec56b6888fbdf797c10b479d76760
                019673d0af27b976ac3836ad227f0c6febf8f1118cadaabfe9da8580233a972af6308a57a5ba669c9d4e4327a264524d
                cef6beff3d553a73ec1d744b5389e97ad3fae416f31f2f8030daaf37ce478c5bee2f0b0c1f7845267994560c56a66f05
                3edd72ca78048128a2445b797d561e5ae91e6a09d4f670c41bea04873220ad205873c3583a3b7deada0b142161524a64
                61d8612aa0711cf3b3627da6422603c5b5be787c4a449eb68476241885feea64fd9c2a0b08aa53d9927df4be041d8895
                26737dc70e5577862edc2e71fcd435372f1381af6c3deb24a1d8955373445ced8424c33d151e47169d7d22bd5d6634da
                538cfb2ebcb87c599e70496bd203b08355f11e2cbdd32d99a195b6324501f7ef6723adc33ab58569f6a417edaf6df312
                a2981b50b4539052eb8eeeb9eb1ba71c37816986427d8d696ec21b1ae4d18032
                """.filter { !$0.isWhitespace }
        ),
        Vector(
            name: "521-bit modulus, 520-bit exponent",
            n: """
                93d7e3e0f9fba143d79433ea042b0ad3cd602b4a2d59874855feae2ae047e877004ace880d0c27d4306dc37bd9a24f76
                086df494077c1bd2156597c9e61d92ebb701
                """.filter { !$0.isWhitespace },
            e: "0f9e522b3fb941d61c4bf501ce0d28b13c1ca7fde38a7c8ceefd6d6b1ae1e6aea6662c0288b6d3efe2fdd0faf8fb0cecfc6ad5d7bc10f9ec54023c4d89c899ff67",
            m: """
                8272f052ab45a2d7c0ceb18dd80242a3212c40b3a0c1459caeb8434fbbef97029fa2acd2235673a5a991119173f3b11e
                bc453212d29ee3ddb24c5eefb70f
                """.filter { !$0.isWhitespace },
            c: """
                f74ab998999f89375ad1da209bdddfaca7649be052bbebf0eaf01953a3c46fd9b345e7c3518fea85871571450f5ddfd0
                eb4c7bfb9bae66ad48a5455b9e6d43412601
                """.filter { !$0.isWhitespace }
        ),
    ]
}
