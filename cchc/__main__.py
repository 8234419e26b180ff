from cchc.commands import main

main()
