from netlab.launch import main

main()
