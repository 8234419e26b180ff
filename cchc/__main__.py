from cchc.console import main

main()
