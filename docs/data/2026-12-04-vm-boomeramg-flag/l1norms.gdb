set pagination off
set breakpoint pending on
break hypre_ParCSRComputeL1Norms
commands
silent
printf "L1Norms: option %d\n", $rsi
continue
end
break hypre_error_handler
commands
silent
printf "ERROR handler called\n"
continue
end
run
quit
