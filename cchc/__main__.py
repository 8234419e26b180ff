from cchc.command_modules import main

main()
