from workbook.commands.cli import main

main()
