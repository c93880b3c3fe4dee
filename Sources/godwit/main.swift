import GodwitCLI

await Godwit.main(migrations: [])
